import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';

const nearBottomPixels = 48;

/**
 * Keeps a scroll container pinned to the bottom while content grows, until the user scrolls
 * up to read; scrolling back down (or `jumpToLatest`) pins it again.
 */
export function useAutoscroll(container: RefObject<HTMLElement | null>, content: unknown) {
  const [isPinned, setIsPinned] = useState(true);
  const pinned = useRef(true);
  const lastTop = useRef(0);
  const lastHeight = useRef(0);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const onScroll = () => {
      const distance = element.scrollHeight - element.scrollTop - element.clientHeight;
      // Content that shrank (a thread switch) also lowers scrollTop; only the user's scrolling counts.
      const movedUp = element.scrollTop < lastTop.current - 2 && element.scrollHeight === lastHeight.current;
      lastTop.current = element.scrollTop;
      lastHeight.current = element.scrollHeight;
      const next = distance <= nearBottomPixels ? true : movedUp ? false : pinned.current;
      if (next !== pinned.current) {
        pinned.current = next;
        setIsPinned(next);
      }
    };
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => element.removeEventListener('scroll', onScroll);
  }, [container]);

  useLayoutEffect(() => {
    const element = container.current;
    if (element && pinned.current) {
      element.scrollTop = element.scrollHeight;
      lastTop.current = element.scrollTop;
    }
    if (element) lastHeight.current = element.scrollHeight;
  }, [container, content]);

  const jumpToLatest = useCallback(() => {
    const element = container.current;
    pinned.current = true;
    setIsPinned(true);
    if (element) element.scrollTop = element.scrollHeight;
  }, [container]);

  return { isPinned, jumpToLatest };
}
