// Replay corpus file names carry the workflow id (replay must use the original id: child ids derive
// from it) and, for continued-as-new runs, a run id prefix: `<workflowId with / as __>@<run>.json`.
export function historyFileName(workflowId: string, runId?: string): string {
  return `${workflowId.replaceAll('/', '__')}${runId ? `@${runId.slice(0, 8)}` : ''}.json`;
}

export function workflowIdFromFileName(file: string): string {
  return file.replace(/\.json$/, '').replace(/@[^@]*$/, '').replaceAll('__', '/');
}
