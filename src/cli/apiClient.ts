// The operator CLI talks to the showprint API like any app would.
import { readFileSync } from 'node:fs';
import { apiKeyFile } from '../api/protection/apiKeyFile.js';

export interface ApiClientOptions {
  apiUrl: string;
  apiKey?: string;
  dataDir: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The key from --api-key, SHOWPRINT_API_KEY, or the local one `npm start` generated. */
function resolveKey(opts: ApiClientOptions): string | undefined {
  if (opts.apiKey) return opts.apiKey;
  if (process.env.SHOWPRINT_API_KEY) return process.env.SHOWPRINT_API_KEY;
  try {
    return readFileSync(apiKeyFile(opts.dataDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function createApiClient(opts: ApiClientOptions) {
  const key = resolveKey(opts);
  async function request<T>(method: string, route: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${opts.apiUrl}${route}`, {
        method,
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, `Cannot reach the showprint API at ${opts.apiUrl} (${(error as Error).message}). Is \`npm start\` running? Use --api to point elsewhere.`);
    }
    const text = await res.text();
    const json = text ? (JSON.parse(text) as T & { error?: { message: string } }) : ({} as T & { error?: { message: string } });
    if (!res.ok) throw new ApiError(res.status, json.error?.message ?? `HTTP ${res.status}`);
    return json;
  }
  return {
    get: <T>(route: string) => request<T>('GET', route),
    post: <T>(route: string, body?: unknown) => request<T>('POST', route, body ?? {}),
    del: <T>(route: string) => request<T>('DELETE', route),
  };
}
