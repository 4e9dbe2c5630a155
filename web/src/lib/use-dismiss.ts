import { useEffect, type RefObject } from 'react';

/**
 * Closes an open popover or menu on Escape, or on a press anywhere outside `wrapper` (the
 * element holding both its trigger and its panel) and `panel` (a panel shown elsewhere in the
 * page, such as a popover in a portal).
 */
export function useDismiss(
  isOpen: boolean,
  wrapper: RefObject<HTMLElement | null>,
  close: () => void,
  panel?: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    if (!isOpen) return;
    const onEvent = (event: Event) => {
      const isInside = (element: HTMLElement | null | undefined) =>
        element?.contains(event.target as Node) === true;
      const isDismissed =
        event instanceof KeyboardEvent
          ? event.key === 'Escape'
          : !isInside(wrapper.current) && !isInside(panel?.current);
      if (isDismissed) close();
    };
    document.addEventListener('keydown', onEvent);
    document.addEventListener('pointerdown', onEvent);
    return () => {
      document.removeEventListener('keydown', onEvent);
      document.removeEventListener('pointerdown', onEvent);
    };
  }, [isOpen, wrapper, close, panel]);
}
