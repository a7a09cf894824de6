/**
 * Output of `codex-lsp review`: the same findings as text for people (and grep), as JSON
 * for scripts, and as SARIF 2.1.0 for code-scanning tools. Pure functions: no I/O, no
 * clock, no environment; the command decides where the strings go. The findings and the
 * positions they use are described in report.ts.
 */
export { oneBased, SEVERITIES, type CliFinding, type FileResult, type OneBased, type RunSummary, type Severity } from './report';
export { formatText, summaryLine } from './format-text';
export { formatJson, type JsonFile, type JsonFinding, type JsonReport } from './format-json';
export { formatSarif, INFORMATION_URI, type SarifOptions } from './format-sarif';
