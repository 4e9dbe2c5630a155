import { useEffect, type RefObject } from 'react';

/**
 * Closes an open popover or menu on Escape, or on a press anywhere outside `wrapper` (the
 * element holding both its trigger and its panel).
 */
export function useDismiss(isOpen: boolean, wrapper: RefObject<HTMLElement | null>, close: () => void): void {
  useEffect(() => {
    if (!isOpen) return;
    const onEvent = (event: Event) => {
      const isDismissed =
        event instanceof KeyboardEvent
          ? event.key === 'Escape'
          : !wrapper.current?.contains(event.target as Node);
      if (isDismissed) close();
    };
    document.addEventListener('keydown', onEvent);
    document.addEventListener('pointerdown', onEvent);
    return () => {
      document.removeEventListener('keydown', onEvent);
      document.removeEventListener('pointerdown', onEvent);
    };
  }, [isOpen, wrapper, close]);
}
