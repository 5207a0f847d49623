import type { ConfigApi } from '@backstage/core-plugin-api';
import type { WasmAuthApiOptions } from './WasmAuthApi.js';

const STORAGES = ['session', 'local', 'memory'] as const;
const FLOWS = ['popup', 'redirect', 'proxy'] as const;

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  key: string,
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`Invalid config ${key}: '${value}', expected one of ${allowed.join(', ')}`);
}

/**
 * Reads the options of one provider from app config:
 * `wasmAuth.providers.<providerId>.{environment, defaultScopes, storage, popup, flow,
 * refreshMarginSeconds, crossTabSync}`, with `environment` defaulting to `auth.environment`.
 * Keys absent from config are left out, so they do not override code defaults.
 *
 * @public
 */
export function readWasmAuthConfig(
  configApi: ConfigApi,
  providerId: string,
): Partial<Omit<WasmAuthApiOptions, 'provider'>> {
  const base = `wasmAuth.providers.${providerId}`;
  const c = configApi.getOptionalConfig(base);
  const out: Partial<Omit<WasmAuthApiOptions, 'provider'>> = {};
  const environment =
    c?.getOptionalString('environment') ?? configApi.getOptionalString('auth.environment');
  if (environment !== undefined) out.environment = environment;
  const defaultScopes = c?.getOptionalStringArray('defaultScopes');
  if (defaultScopes !== undefined) out.defaultScopes = defaultScopes;
  const storage = oneOf(c?.getOptionalString('storage'), STORAGES, `${base}.storage`);
  if (storage !== undefined) out.storage = storage;
  const flow = oneOf(c?.getOptionalString('flow'), FLOWS, `${base}.flow`);
  if (flow !== undefined) out.flow = flow;
  const crossTabSync = c?.getOptionalBoolean('crossTabSync');
  if (crossTabSync !== undefined) out.crossTabSync = crossTabSync;
  const refreshMarginSeconds = c?.getOptionalNumber('refreshMarginSeconds');
  if (refreshMarginSeconds !== undefined) out.refreshMarginSeconds = refreshMarginSeconds;
  const popup = c?.getOptionalConfig('popup');
  if (popup) {
    const p: NonNullable<WasmAuthApiOptions['popup']> = {};
    const width = popup.getOptionalNumber('width');
    const height = popup.getOptionalNumber('height');
    const fullscreen = popup.getOptionalBoolean('fullscreen');
    if (width !== undefined) p.width = width;
    if (height !== undefined) p.height = height;
    if (fullscreen !== undefined) p.fullscreen = fullscreen;
    out.popup = p;
  }
  return out;
}
