// In-page measurement loops, identical for every client. Loaded after the client is ready (not
// part of the cold-start figure). Everything calls api.getToken() = client.getAccessToken().

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** `batches` batches of `size` sequential awaited calls; per-call µs from each batch's time. */
export async function cachedRun(api, { batches, size }) {
  const perCall = new Float64Array(batches);
  const expected = await api.getToken();
  const start = performance.now();
  for (let b = 0; b < batches; b++) {
    const t = performance.now();
    for (let i = 0; i < size; i++) await api.getToken();
    perCall[b] = ((performance.now() - t) * 1000) / size;
  }
  const totalMs = performance.now() - start;
  const last = await api.getToken();
  perCall.sort();
  let sum = 0;
  for (const v of perCall) sum += v;
  return {
    calls: batches * size,
    p50Us: quantile(perCall, 0.5),
    p99Us: quantile(perCall, 0.99),
    meanUs: sum / batches,
    callsPerSec: (batches * size) / (totalMs / 1000),
    tokenStable: typeof expected === 'string' && expected.length > 0 && expected === last,
  };
}

/** n concurrent callers (all started in one tick); ms until all resolve. */
export async function concurrent(api, n) {
  const t = performance.now();
  const tokens = await Promise.all(Array.from({ length: n }, () => api.getToken()));
  const ms = performance.now() - t;
  return { ms, distinct: new Set(tokens).size, token: tokens[0], empty: tokens.filter(x => !x).length };
}

/**
 * Refresh storm: move the page clock (Date.now, which both clients read) past every token's
 * expiry, then n concurrent callers. Returns ms until all resolve and the tokens they got.
 */
export async function storm(api, n, advanceMs) {
  const before = await api.getToken();
  window.__advanceClock(advanceMs);
  const r = await concurrent(api, n);
  return { ...r, changed: r.token !== before };
}

/** n sequential awaited calls, no timing (memory test). */
export async function calls(api, n) {
  for (let i = 0; i < n; i++) await api.getToken();
}

/** Times api.signIn() (popup round trip); the driver completes the IdP pages meanwhile. */
export async function timedSignIn(api) {
  const t = performance.now();
  await api.signIn();
  const ms = performance.now() - t;
  const id = await api.identity();
  return { ms, userEntityRef: id?.identity?.userEntityRef ?? null, token: await api.getToken() };
}

export async function signOut(api) {
  await api.signOut();
}
