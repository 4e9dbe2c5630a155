import { useEffect, useRef } from 'react';

export type Shortcuts = { onNewChat: () => void; onSearch: () => void };

/** Which app shortcut a key press is: Ctrl/⌘+Shift+O a new chat, Ctrl/⌘+K the history search. */
export function shortcutOf(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (key === 'o' && event.shiftKey) return 'new-chat';
  if (key === 'k' && !event.shiftKey) return 'search';
  return null;
}

/** The app-wide keyboard shortcuts (the hint under the composer lists them). */
export function useShortcuts(shortcuts: Shortcuts): void {
  const latest = useRef(shortcuts);
  latest.current = shortcuts;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const shortcut = shortcutOf(event);
      if (shortcut === null) return;
      event.preventDefault();
      if (shortcut === 'new-chat') latest.current.onNewChat();
      else latest.current.onSearch();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}
