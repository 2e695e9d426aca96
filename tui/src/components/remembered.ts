import { useEffect, useState } from 'react';
import type { Dispatch, SetStateAction } from 'react';
import { useUi } from '../app/ui-context.js';

/**
 * useState that survives leaving the screen: switching tabs unmounts a screen (so it stops polling),
 * but its sort, filter, level and selection are back when the technician returns.
 */
export function useRemembered<T>(key: string, initial: T): [T, Dispatch<SetStateAction<T>>] {
  const { memory } = useUi();
  const [value, setValue] = useState<T>(() => (memory.has(key) ? (memory.get(key) as T) : initial));
  useEffect(() => {
    memory.set(key, value);
  }, [memory, key, value]);
  return [value, setValue];
}
