import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, ApiResult } from './control-client.js';

export interface PollState<T> {
  /** The last good answer; kept while later requests fail, so the screen keeps showing it. */
  data: T | null;
  /** The last request's error, cleared by the next success. */
  error: ApiError | null;
  /** True until the first answer (good or bad) for the current key arrives; data may be an older key's. */
  loading: boolean;
  lastSuccessAt: number | null;
  /** Ask again now (after an action), without waiting for the interval. */
  refresh: () => void;
}

/**
 * Polls `fetcher` every `intervalMs`. The next request is scheduled only after the previous one has
 * answered, so a slow agent never piles requests up; when `key` changes (a new filter, sort or page)
 * a request starts at once and any answer for an older key is dropped.
 */
export function usePoll<T>(
  fetcher: () => Promise<ApiResult<T>>,
  intervalMs: number,
  key: string,
  now: () => number = Date.now,
): PollState<T> {
  const [state, setState] = useState<{
    data: T | null;
    error: ApiError | null;
    lastSuccessAt: number | null;
    /** The key of the last answer: loading is derived from it in the same render the key changes. */
    answered: string | null;
  }>({ data: null, error: null, lastSuccessAt: null, answered: null });
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const nowRef = useRef(now);
  nowRef.current = now;
  const generation = useRef(0);
  const kick = useRef<() => void>(() => {});

  useEffect(() => {
    const mine = ++generation.current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    const run = async () => {
      if (generation.current !== mine) return;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (inFlight) return;
      inFlight = true;
      const result = await fetcherRef.current();
      inFlight = false;
      if (generation.current !== mine) return;
      setState((s) =>
        result.ok
          ? { data: result.value, error: null, lastSuccessAt: nowRef.current(), answered: key }
          : { ...s, error: result.error, answered: key },
      );
      timer = setTimeout(() => void run(), intervalMs);
    };
    kick.current = () => void run();
    void run();
    return () => {
      generation.current++;
      if (timer) clearTimeout(timer);
    };
  }, [key, intervalMs]);

  const refresh = useCallback(() => kick.current(), []);
  return {
    data: state.data,
    error: state.error,
    loading: state.answered !== key,
    lastSuccessAt: state.lastSuccessAt,
    refresh,
  };
}

/** Re-renders every `intervalMs` so ages ("12 s ago") keep counting between answers. */
export function useTick(intervalMs: number): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
}
