import type { ConfigSnapshot } from '../config/store';
import type { EndpointConfig } from './gateway';

/** The endpoint a settings snapshot names: one mapping for the server and the command line. */
export function endpointConfig(snap: ConfigSnapshot): EndpointConfig {
  const { settings, keySource, blocking } = snap;
  return {
    apiKey: settings.apiKey,
    keySource,
    baseUrl: settings.baseUrl,
    model: settings.model,
    api: settings.api,
    timeoutMs: settings.timeoutMs,
    fallbackModels: settings.fallbackModels,
    blocking,
  };
}
