/**
 * The gateway's vocabulary: what callers send (ModelRequest), get back (ModelAnswer) or
 * catch (ModelError), the endpoint it is configured with, and where it reports problems.
 */
import type { ApiMode } from '../config/settings';
import type { ApiKind, PromptParts } from './request-body';
import type { TokenUsage } from './usage';

export type ModelErrorKind =
  | 'budget'
  | 'config'
  | 'no-key'
  | 'key-mismatch'
  | 'auth'
  | 'model-not-found'
  | 'quota'
  | 'rate-limit'
  | 'unreachable'
  | 'endpoint'
  | 'timeout'
  | 'cancelled'
  | 'bad-request'
  | 'server'
  | 'bad-answer'
  | 'cut-off';

export class ModelError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly status?: number,
    /** For 'cut-off': the text that came before the cut (never to be shown as whole). */
    readonly partial?: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

/** Problems the user must act on; each is shown once until the configuration changes. */
export type ProblemKind =
  | 'project'
  | 'budget'
  | 'config'
  | 'no-key'
  | 'key-mismatch'
  | 'auth'
  | 'model-not-found'
  | 'model-fallback'
  | 'quota'
  | 'rate-limit'
  | 'unreachable'
  | 'endpoint';

export interface ProblemReporter {
  report(kind: ProblemKind, message: string): void;
}

export interface EndpointConfig {
  apiKey: string | undefined;
  keySource: string | undefined;
  baseUrl: string;
  model: string;
  api: ApiMode;
  timeoutMs: number;
  /** Tried in order when the endpoint says the model is missing or retired. */
  fallbackModels: readonly string[];
  /** A configuration error that stops every call (see ConfigSnapshot.blocking). */
  blocking?: string;
}

export interface ModelRequest extends PromptParts {
  feature: string;
  signal?: AbortSignal;
  /** The document the request is about (its uri), for "show the last request for this file". */
  source?: string;
}

/** A request as it leaves the machine: where to, and the exact body. */
export interface OutgoingRequest {
  url: string;
  api: ApiKind;
  model: string;
  feature: string;
  body: Record<string, unknown>;
  bytes: number;
}

export interface SentRequest extends OutgoingRequest {
  at: Date;
  source: string | undefined;
  /** The HTTP status, or the failure, of this attempt. */
  outcome: string;
}

export interface ModelAnswer {
  text: string;
  /** Present for schema requests: the JSON value found in the answer. */
  json?: unknown;
  usage: TokenUsage;
  api: ApiKind;
  model: string;
}

/** A base URL on this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The path of an API under the base URL. */
export function apiPath(api: ApiKind): string {
  return api === 'chat' ? '/chat/completions' : '/responses';
}
