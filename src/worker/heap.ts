// The worker's V8 heap budget, passed on node's command line wherever a worker process is started
// (docker-compose.yml, `npm run worker`, the bench). Without it V8 sizes the old space from the
// machine's memory (about 4 GB here) and lets garbage pile up to hundreds of MB before it collects;
// the worker's live heap peaks near 150 MB at a 100k session, so 384 MB leaves 2.5× headroom.
export const WORKER_HEAP_MB = 384;
export const WORKER_NODE_FLAGS = [`--max-old-space-size=${WORKER_HEAP_MB}`];
