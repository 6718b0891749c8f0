import { useEffect, useRef } from "react";

/**
 * Calls onKey for each key pressed anywhere on the page while the component is mounted. The listener is bound once
 * and always calls the latest onKey, so shortcuts see the screen's current state without re-binding on every render.
 */
export function useWindowKeyDown(onKey: (e: KeyboardEvent) => void): void {
  const latest = useRef(onKey);
  latest.current = onKey;
  useEffect(() => {
    const listener = (e: KeyboardEvent) => latest.current(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
}
