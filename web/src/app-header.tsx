import { MenuIcon } from './components/icons.js';
import {
  backendTypes,
  describeBackend,
  isBackendType,
  selectBackend,
  type BackendType,
} from './config/api.js';
import type { Route } from './lib/hash-route.js';
import { themeChoices, themePreference, useLocalValue, type ThemeChoice } from './lib/preferences.js';

const themeLabels: Record<ThemeChoice, string> = { system: 'Auto', light: 'Light', dark: 'Dark' };
const nextTheme = (theme: ThemeChoice): ThemeChoice =>
  themeChoices[(themeChoices.indexOf(theme) + 1) % themeChoices.length] ?? 'system';

type AppHeaderProps = { route: Route; backend: BackendType; onToggleHistory: (() => void) | null };

export function AppHeader({ route, backend, onToggleHistory }: AppHeaderProps) {
  const theme = useLocalValue(themePreference);
  const tab = (page: Route['page'], label: string, href: string) => (
    <a href={href} className="tab" aria-current={route.page === page ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <header className="app-header">
      {onToggleHistory && (
        <button
          type="button"
          className="icon-button history-toggle"
          aria-label="Show conversations"
          onClick={onToggleHistory}
        >
          <MenuIcon />
        </button>
      )}
      <a className="brand" href="#/chat" aria-label="Threadline">
        <img src="/icons/icon.svg" alt="" width="24" height="24" />
        <span>Threadline</span>
      </a>
      <nav className="tabs" aria-label="Pages">
        {tab('chat', 'Chat', '#/chat')}
        {tab('knowledge', 'Knowledge', '#/knowledge')}
        {tab('compare', 'Compare', '#/compare')}
      </nav>
      <div className="header-tools">
        <label className="backend-switch">
          {/* Named on screen: "Threadline" alone read as the product, not the backend answering. */}
          <span className="backend-switch-label">Backend</span>
          <select
            aria-label="Backend"
            value={backend}
            onChange={(event) => {
              if (isBackendType(event.target.value)) selectBackend(event.target.value);
            }}
          >
            {backendTypes.map((type) => (
              <option key={type} value={type}>
                {describeBackend(type).label}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button small theme-toggle"
          aria-label={`Theme: ${themeLabels[theme]} (click to change)`}
          onClick={() => themePreference.set(nextTheme(theme))}
        >
          <span aria-hidden="true">{theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}</span>{' '}
          <span className="theme-label">{themeLabels[theme]}</span>
        </button>
      </div>
    </header>
  );
}
