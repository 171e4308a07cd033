// Import floors, checked by `npm run lint` (dependency-cruiser). The product's folders stand in
// layers; a module imports its own layer or lower ones, never a higher one:
//   src/contracts                                       (what every part shares; workflow-safe)
//   src/domain · src/config · src/observability        (pure rules, settings, metrics and logs)
//   src/db · src/clients                                (storage and the external services)
//   src/control · src/temporal                          (operators' holds, Temporal plumbing)
//   activities                                          (the work, over everything below)
//   src/api · src/worker · src/cli                      (the processes that compose them)
// Workflows import only src/contracts (and activity types): they are replayed. The frozen v1
// session (workflows/legacy) imports nothing live but the contracts, so no change to today's code
// changes v1's replay. And no circle anywhere, tests and tools included.
const above = (...folders) => `^(${folders.map((f) => (f.includes('/') ? f : `src/${f}`)).join('|')})/`;

/** `from` may not import anything in `folders` (or workflows/). */
const floor = (name, from, folders, extra = {}) => ({
  name,
  severity: 'error',
  comment: `${from} may not import from a higher layer`,
  from: { path: `^${from}/` },
  to: { path: [above(...folders), '^workflows/'], ...extra },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'an import circle: break it by moving what both need below both', from: {}, to: { circular: true } },
    floor('contracts-floor', 'src/contracts', ['domain', 'config', 'observability', 'db', 'clients', 'control', 'temporal', 'api', 'worker', 'cli', 'activities']),
    // The story cards' rules live in the page's own file (the browser loads it as it is): a leaf, shared.
    floor('domain-floor', 'src/domain', ['config', 'observability', 'db', 'clients', 'control', 'temporal', 'api', 'worker', 'cli', 'activities'], { pathNot: '^src/api/web/verdicts\\.js$' }),
    floor('config-floor', 'src/config', ['observability', 'db', 'clients', 'control', 'temporal', 'api', 'worker', 'cli', 'activities']),
    floor('observability-floor', 'src/observability', ['config', 'db', 'clients', 'control', 'temporal', 'api', 'worker', 'cli', 'activities']),
    floor('db-floor', 'src/db', ['clients', 'control', 'temporal', 'api', 'worker', 'cli', 'activities']),
    floor('clients-floor', 'src/clients', ['control', 'temporal', 'api', 'worker', 'cli', 'activities']),
    floor('control-floor', 'src/control', ['temporal', 'api', 'worker', 'cli', 'activities']),
    floor('temporal-floor', 'src/temporal', ['control', 'api', 'worker', 'cli', 'activities']),
    floor('activities-floor', 'activities', ['api', 'worker', 'cli']),
    floor('api-floor', 'src/api', ['worker', 'cli', 'activities']),
    floor('worker-floor', 'src/worker', ['api', 'cli']),
    {
      name: 'workflows-import-contracts-only',
      severity: 'error',
      comment: 'workflow code is replayed: it imports workflows/, src/contracts and activity types only',
      from: { path: '^workflows/' },
      to: { path: '^(src/(?!contracts/)|standins/|bench/|test/)' },
    },
    { name: 'workflows-activity-types-only', severity: 'error', from: { path: '^workflows/' }, to: { path: '^activities/', dependencyTypesNot: ['type-only'] } },
    {
      name: 'legacy-frozen',
      severity: 'error',
      comment: 'v1 replays its own frozen code: it may import workflows/legacy, src/contracts and activity types, nothing else of today',
      from: { path: '^workflows/legacy/' },
      to: { path: '^workflows/(?!legacy/)' },
    },
  ],
  options: {
    // Type-only imports count: a type that climbs is still an arrow that climbs.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|test/histories|bench/out)/' },
  },
};
