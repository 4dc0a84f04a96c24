/** A duration in milliseconds as seconds with one decimal, e.g. `12.3 s`. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
