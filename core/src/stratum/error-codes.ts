// Stratum V1 share/session error codes (the de-facto set from the slush pool docs, used by every pool).

export const StratumErrorCode = {
  Other: 20,
  JobNotFound: 21,
  DuplicateShare: 22,
  LowDifficultyShare: 23,
  UnauthorizedWorker: 24,
  NotSubscribed: 25,
} as const;

export type StratumErrorCode = (typeof StratumErrorCode)[keyof typeof StratumErrorCode];

export const STRATUM_ERROR_MESSAGES: Readonly<Record<StratumErrorCode, string>> = {
  20: 'Other/Unknown',
  21: 'Job not found',
  22: 'Duplicate share',
  23: 'Low difficulty share',
  24: 'Unauthorized worker',
  25: 'Not subscribed',
};

/** JSON-RPC's own codes, for requests we cannot dispatch (unknown method, bad params). */
export const JsonRpcErrorCode = {
  MethodNotFound: -32601,
  InvalidParams: -32602,
} as const;
