// End-to-end: the built web app against the real server (embedded defaults) in real Chromium.
// `node --import tsx scripts/e2e/run.ts`; screenshots go to artifacts/e2e/ (git-ignored).
// Functions passed to the page are functions, not strings (the app's CSP forbids eval); the few
// browser globals they use are declared below, module-scoped, because the scripts' tsconfig has
// no DOM types and adding them would change the types of every other script.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  apiPaths,
  conversationObjectSchema,
  responseObjectSchema,
  threadMessagesSchema,
} from '@threadline/shared';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { fakeTokens, startFakeLlm, type FakeLlm } from './fake-llm.js';
import { firstMinuteSteps } from './first-minute.js';
import {
  artifactsDir,
  buildWebIfStale,
  chromiumArgs,
  prepareArtifacts,
  root,
  startServer,
  type RunningServer,
} from './harness.js';

const question = 'How do I use MongoDB instead of SQLite?';
const fakeTokenDelayMs = 100;
const fakeTokenCount = 100;
const fullFakeAnswerLength = fakeTokens(fakeTokenCount).join('').length;

type PageElement = {
  textContent: string | null;
  disabled?: boolean;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
};
declare const document: {
  body: unknown;
  documentElement: { scrollWidth: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
};
declare const window: { innerWidth: number; streamedLengths: Set<number> };
declare const location: { hash: string };
declare const navigator: {
  serviceWorker: { ready: Promise<unknown>; controller: unknown };
  clipboard: { readText(): Promise<string> };
};
declare const MutationObserver: new (callback: () => void) => {
  observe(target: unknown, options: Record<string, boolean>): void;
};
declare const caches: { match(url: string): Promise<unknown> };
declare function getComputedStyle(element: unknown): {
  backgroundColor: string;
  borderLeftWidth: string;
  marginLeft: string;
};

let passed = 0;
let failed = 0;
const screenshots: string[] = [];

let mainPage: Page | null = null;

class StepFailure extends Error {}
function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StepFailure(message);
}

async function step(name: string, run: () => Promise<void>): Promise<boolean> {
  const started = Date.now();
  try {
    await run();
    passed += 1;
    process.stdout.write(`  ✓ ${name} (${Date.now() - started} ms)\n`);
    return true;
  } catch (error) {
    failed += 1;
    await mainPage
      ?.screenshot({ path: join(artifactsDir, `failed-${passed + failed}.png`) })
      .catch(() => undefined);
    process.stdout.write(
      `  ✗ ${name}\n    ${error instanceof Error ? error.message.split('\n').slice(0, 6).join('\n    ') : String(error)}\n`,
    );
    return false;
  }
}

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  screenshots.push(path);
}

const composer = (page: Page) => page.getByLabel('Your question');
const lastAnswer = (page: Page) => page.locator('.answer').last();

async function ask(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

async function waitForAnswerEnd(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const input = document.querySelector('#composer-input');
      const answers = [...document.querySelectorAll('.answer')];
      return (
        input !== null && input.disabled === false && answers.at(-1)?.getAttribute('aria-busy') === 'false'
      );
    },
    undefined,
    { timeout },
  );
}

async function loadSampleKnowledgeBase(page: Page): Promise<void> {
  // The server loads it by itself when it starts; the button is there only until it has.
  await page.locator('.store-bar select option').first().waitFor({ state: 'attached', timeout: 15_000 });
  const load = page.getByRole('button', { name: 'Load the sample knowledge base' });
  if ((await load.count()) > 0) await load.click();
  await page.locator('table.files tbody tr').first().waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    () => {
      const rows = [...document.querySelectorAll('table.files tbody tr')];
      return rows.length > 0 && rows.every((row) => /Ready|Failed/.test(row.textContent ?? ''));
    },
    undefined,
    { timeout: 60_000 },
  );
  const rows = await page.locator('table.files tbody tr').allTextContents();
  assert(rows.length >= 3, `expected the sample's files, saw ${rows.length} rows`);
  assert(
    rows.every((row) => row.includes('Ready')),
    `some sample files failed: ${rows.filter((row) => !row.includes('Ready')).join(' | ')}`,
  );
}

const consoleErrors: string[] = [];
function watchConsole(page: Page): void {
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
}

async function main(): Promise<void> {
  buildWebIfStale();
  prepareArtifacts();
  let server: RunningServer | null = null;
  let llmServer: RunningServer | null = null;
  let fakeLlm: FakeLlm | null = null;
  let browser: Browser | null = null;
  try {
    fakeLlm = await startFakeLlm({ tokenDelayMs: fakeTokenDelayMs, tokenCount: fakeTokenCount });
    [server, llmServer] = await Promise.all([startServer(), startServer({ LLM_BASE_URL: fakeLlm.baseUrl })]);
    const baseUrl = server.baseUrl;
    process.stdout.write(`e2e: server at ${baseUrl}; with a slow fake LLM at ${llmServer.baseUrl}\n`);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    const context: BrowserContext = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    const page = await context.newPage();
    mainPage = page;
    watchConsole(page);

    await step('the app opens on an empty chat', async () => {
      await page.goto(`${baseUrl}/`);
      await page.getByRole('heading', { name: 'Ask your documents' }).waitFor({ timeout: 15_000 });
      await shoot(page, '01-chat-empty');
    });

    await step('load the sample knowledge base; every file gets ingested', async () => {
      await page.getByRole('link', { name: 'Knowledge' }).click();
      await loadSampleKnowledgeBase(page);
      await shoot(page, '02-knowledge-sample');
    });

    await step('upload a file: it is sent as multipart and ingested', async () => {
      const notePath = join(artifactsDir, 'e2e-upload-note.md');
      writeFileSync(
        notePath,
        '# Upload check\n\nThe e2e upload check file says the harbour opens at nine.\n',
      );
      await page.locator('input[type="file"]').setInputFiles(notePath);
      const row = page.locator('table.files tbody tr', { hasText: 'e2e-upload-note.md' });
      await row.waitFor({ timeout: 15_000 });
      await row.getByText(/Ready/).waitFor({ timeout: 30_000 });
      await row.getByRole('button', { name: 'Delete e2e-upload-note.md' }).click();
      await row.waitFor({ state: 'detached', timeout: 10_000 });
    });

    let threadHash = '';
    await step('ask a question: the answer arrives over SSE with working citation chips', async () => {
      await page.getByRole('link', { name: 'Chat' }).click();
      // The extractive answer is produced in microseconds, so whether the browser paints it in one
      // step or several is luck; seeing it grow is asserted on the slow-LLM server below. Here:
      // the answer comes through /chat/stream as an event stream.
      const streamResponse = page.waitForResponse((response) => response.url().endsWith(apiPaths.chatStream));
      await ask(page, question);
      const contentType = (await streamResponse).headers()['content-type'] ?? '';
      assert(contentType.startsWith('text/event-stream'), `/chat/stream answered ${contentType}`);
      await waitForAnswerEnd(page);
      const chips = lastAnswer(page).locator('.markdown .citation-chip');
      const count = await chips.count();
      assert(count > 0, 'the answer has no citation chips');
      const text = (await lastAnswer(page).textContent()) ?? '';
      assert(!text.includes('【'), 'raw citation markers are visible in the answer');
      await chips.first().click();
      const popover = page.getByRole('dialog', { name: /^Source \d+$/ });
      await popover.waitFor();
      const quote = (await popover.locator('.citation-quote').textContent()) ?? '';
      assert(quote.length > 10 && !quote.includes('did not send'), `the chip shows no passage: "${quote}"`);
      const fileName = (await popover.locator('.citation-file').textContent()) ?? '';
      assert(/\.md$/.test(fileName), `the chip shows no file name: "${fileName}"`);
      threadHash = new URL(page.url()).hash;
      assert(/^#\/chat\/[\w-]+$/.test(threadHash), `the URL does not name the thread: ${page.url()}`);
      await shoot(page, '03-chat-answer-citation');
      await page.keyboard.press('Escape');
    });

    await step(
      'a quoted answer: its table renders (and copies) as a table, a note says it is quoted, the source renders as Markdown above the composer',
      async () => {
        await ask(page, 'What is the MONGODB_DB setting?');
        await waitForAnswerEnd(page);
        const answer = lastAnswer(page);
        const cells = await answer.locator('.markdown table td').allTextContents();
        assert(
          cells.some((cell) => cell.includes('MONGODB_DB')),
          `no table cell names MONGODB_DB: ${JSON.stringify(cells)}`,
        );
        const shown = (await answer.locator('.markdown').textContent()) ?? '';
        assert(!/\|\s*-{3}/.test(shown), 'the table shows as raw pipes');
        const note = answer.locator('.answer-kind');
        assert(/Quoted from your documents/.test((await note.textContent()) ?? ''), 'no quoted-answer note');
        await note.getByRole('button', { name: 'How to get written answers' }).click();
        assert(
          /LLM_BASE_URL/.test((await note.textContent()) ?? ''),
          'the note does not say how to get written answers',
        );
        await page.getByRole('button', { name: 'Copy answer' }).last().click();
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        assert(
          /^\| `MONGODB_DB` \|.*\|$/m.test(copied),
          `the copied table lost its rows: "${copied.slice(0, 400)}"`,
        );
        await answer.locator('.markdown .citation-chip').last().click();
        const popover = page.getByRole('dialog', { name: /^Source \d+$/ });
        await popover.waitFor();
        const quote = (await popover.locator('.citation-quote').textContent()) ?? '';
        assert(
          !quote.includes('**') && !/\|\s*-{3}/.test(quote),
          `the source shows raw Markdown: "${quote}"`,
        );
        assert(
          (await popover.locator('.citation-quote .cited').count()) > 0,
          'the quoted part is not marked',
        );
        const box = await popover.boundingBox();
        const composerBox = await page.locator('.composer-bar').boundingBox();
        assert(box && box.x >= 0 && box.x + box.width <= 1280 && box.y >= 0, 'the popover leaves the window');
        assert(composerBox && box.y + box.height <= composerBox.y + 1, 'the popover covers the composer');
        await shoot(page, '03b-quoted-answer-table-note-source');
        await page.keyboard.press('Escape');
      },
    );

    await step(
      'a how-to is answered with its passage: heading, then the command as a code block',
      async () => {
        await ask(page, 'How do I put Threadline behind nginx?');
        await waitForAnswerEnd(page);
        const code = lastAnswer(page).locator('.markdown pre code');
        assert((await code.count()) > 0, 'the answer shows no code block');
        const command = (await code.first().textContent()) ?? '';
        assert(command.includes('proxy_pass'), `the code block is not the proxy configuration: "${command}"`);
        const heading = (await lastAnswer(page).locator('.markdown p strong').first().textContent()) ?? '';
        assert(heading.trim() !== '', 'the passage has no heading of its own');
        await shoot(page, '03b-chat-passage-with-code');
      },
    );

    // The stop step needs an answer slower than a click, so it runs against a second server
    // whose local engine streams from the slow fake LLM; every other step keeps the embedded
    // (extractive) defaults.
    let stopPage: Page | null = null;
    await step(
      'a second server answers through a slow fake LLM: load its sample knowledge base',
      async () => {
        stopPage = await context.newPage();
        watchConsole(stopPage);
        await stopPage.goto(`${llmServer!.baseUrl}/#/knowledge`);
        await loadSampleKnowledgeBase(stopPage);
      },
    );

    await step('stop an answer mid-stream: the run is cancelled on the server and upstream', async () => {
      assert(stopPage, 'the fake-LLM page did not open');
      const slow = stopPage;
      await slow.getByRole('link', { name: 'Chat' }).click();
      // Count distinct text lengths of the answer while it arrives: several means it streamed.
      await slow.evaluate(() => {
        const seen = new Set<number>();
        window.streamedLengths = seen;
        new MutationObserver(() => {
          const last = [...document.querySelectorAll('.answer')].at(-1);
          if (last?.getAttribute('aria-busy') === 'true') seen.add(last.textContent?.length ?? 0);
        }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      await ask(slow, 'What does the background writer do when the database is down?');
      await slow.getByRole('button', { name: 'Stop' }).waitFor({ timeout: 10_000 });
      // A few deltas in (each fake token takes 100 ms) and the first citation, then Stop.
      await slow.waitForFunction(
        () => {
          const markdown = [...document.querySelectorAll('.answer')].at(-1)?.querySelector('.markdown');
          return (
            (markdown?.textContent?.length ?? 0) > 30 && markdown?.querySelector('.citation-chip') != null
          );
        },
        undefined,
        { timeout: 30_000 },
      );
      const lengths = await slow.evaluate(() => window.streamedLengths.size);
      assert(lengths >= 3, `the answer did not stream (saw ${lengths} intermediate states)`);
      const cancelRequest = slow.waitForRequest(
        (request) => request.method() === 'POST' && /\/threads\/[\w-]+\/cancel$/.test(request.url()),
      );
      await slow.getByRole('button', { name: 'Stop' }).click();
      // Stop asks the server to cancel the run (it belongs to the thread, not to this tab).
      await cancelRequest;
      await waitForAnswerEnd(slow, 10_000);
      assert(await composer(slow).isEnabled(), 'the input stayed disabled after Stop');
      const outcome = await lastAnswer(slow).getAttribute('data-outcome');
      assert(outcome === 'cancelled', `expected a cancelled answer, got ${outcome}`);
      assert(
        await slow
          .getByText(/^Stopped\./)
          .last()
          .isVisible(),
        'no "Stopped" note',
      );
      const partial = (await lastAnswer(slow).locator('.markdown').textContent()) ?? '';
      assert(
        partial.length > 30 && partial.length < fullFakeAnswerLength / 2,
        `expected a partial answer, got ${partial.length} of ${fullFakeAnswerLength} characters`,
      );
      // The server cancelled the run upstream: the fake LLM saw its request closed mid-answer.
      await fakeLlm!.closedEarly(10_000);
      assert(fakeLlm!.requests() === 1, `the fake LLM got ${fakeLlm!.requests()} requests, expected 1`);
      await shoot(slow, '04-chat-stopped');

      const threadId = /^#\/chat\/([\w-]+)$/.exec(new URL(slow.url()).hash)?.[1];
      assert(threadId, `the URL does not name the thread: ${slow.url()}`);
      // The saved run says cancelled (the transcript writer is asynchronous: poll briefly).
      const messagesUrl = `${llmServer!.baseUrl}${apiPaths.threadMessages(threadId)}`;
      let runStatus: string | null = null;
      for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
        const response = await slow.request.get(messagesUrl);
        assert(response.ok(), `GET ${messagesUrl} answered ${response.status()}`);
        const transcript = threadMessagesSchema.parse(await response.json());
        runStatus = transcript.data.find((message) => message.role === 'assistant')?.runStatus ?? null;
        if (runStatus === 'cancelled') break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert(runStatus === 'cancelled', `the saved run status is ${runStatus}, expected cancelled`);
      await slow.reload();
      await slow.locator('.turn .answer').first().waitFor({ timeout: 15_000 });
      const reopened = await lastAnswer(slow).getAttribute('data-outcome');
      assert(reopened === 'cancelled', `the reopened answer shows as ${reopened}, expected cancelled`);
      assert(
        await slow
          .getByText(/^Stopped\./)
          .last()
          .isVisible(),
        'the reopened answer has no "Stopped" note',
      );
      const kept = (await lastAnswer(slow).locator('.markdown').textContent()) ?? '';
      assert(kept.length > 30, `the reopened answer lost its partial text ("${kept}")`);
      await slow.locator('.thread-item.current').waitFor({ timeout: 10_000 });
      // The citation that arrived before the stop was saved with the partial answer.
      await lastAnswer(slow).locator('.markdown .citation-chip').first().click();
      const quote = (await slow.getByRole('dialog').locator('.citation-quote').textContent()) ?? '';
      assert(quote.length > 10 && !quote.includes('did not send'), `the chip shows no passage: "${quote}"`);
      await shoot(slow, '05-stopped-reopened');
      await slow.close();
      stopPage = null;
    });

    await step(
      'an answer outlives its tab: reload mid-answer re-attaches, a second tab shows it live, and switching threads and back keeps it',
      async () => {
        const answerLength = (tab: Page) =>
          tab.evaluate(
            () =>
              [...document.querySelectorAll('.answer')].at(-1)?.querySelector('.markdown')?.textContent
                ?.length ?? 0,
          );
        const isAnswering = (tab: Page) => lastAnswer(tab).getAttribute('aria-busy');
        const growsPast = async (tab: Page, length: number) =>
          tab.waitForFunction(
            (past) => {
              const last = [...document.querySelectorAll('.answer')].at(-1);
              return (
                last?.getAttribute('aria-busy') === 'true' &&
                (last.querySelector('.markdown')?.textContent?.length ?? 0) > past
              );
            },
            length,
            { timeout: 15_000 },
          );
        const requestsBefore = fakeLlm!.requests();
        const first = await context.newPage();
        watchConsole(first);
        await first.goto(`${llmServer!.baseUrl}/#/chat`);
        await ask(first, 'What does the background writer do when the database is down?');
        await growsPast(first, 20);
        await first.waitForFunction(() => /^#\/chat\/[\w-]+$/.test(location.hash), undefined, {
          timeout: 10_000,
        });
        const hash = new URL(first.url()).hash;

        // A second tab opened on the thread shows the same answer, live.
        const second = await context.newPage();
        watchConsole(second);
        await second.goto(`${llmServer!.baseUrl}/${hash}`);
        await growsPast(second, 20);
        await shoot(second, '05b-second-tab-live');

        // Reloading the first tab mid-answer: the answer comes back and keeps streaming.
        const beforeReload = await answerLength(first);
        await first.reload();
        await growsPast(first, beforeReload);
        assert((await isAnswering(first)) === 'true', 'the reloaded tab does not show the answer running');
        await shoot(first, '05c-reloaded-mid-answer');

        // The second tab leaves the thread and comes back: the answer kept running meanwhile.
        await second.getByRole('button', { name: '+ New conversation' }).click();
        await second.getByRole('heading', { name: 'Ask your documents' }).waitFor();
        const whileAway = await answerLength(first);
        await second.locator('.thread-item .thread-open').first().click();
        await growsPast(second, whileAway);

        await waitForAnswerEnd(first, 30_000);
        await waitForAnswerEnd(second, 30_000);
        for (const tab of [first, second]) {
          const outcome = await lastAnswer(tab).getAttribute('data-outcome');
          assert(outcome === 'completed', `a tab shows the answer as ${outcome}, expected completed`);
        }
        const firstText = (await lastAnswer(first).locator('.markdown').textContent()) ?? '';
        const secondText = (await lastAnswer(second).locator('.markdown').textContent()) ?? '';
        assert(
          firstText === secondText && firstText.length > fullFakeAnswerLength / 2,
          `the tabs disagree or the answer is short: ${firstText.length} vs ${secondText.length} characters`,
        );
        // One run answered all of it: the reload and the thread switch neither restarted nor cut it.
        assert(
          fakeLlm!.requests() === requestsBefore + 1,
          `the fake LLM got ${fakeLlm!.requests() - requestsBefore} requests for one answer`,
        );
        await shoot(second, '05d-switched-back-completed');
        await first.close();
        await second.close();
      },
    );

    await step('reload: the thread reopens from history with its citations', async () => {
      await page.reload();
      await page.locator('.turn').first().waitFor({ timeout: 15_000 });
      assert(new URL(page.url()).hash === threadHash, `the reload lost the thread: ${page.url()}`);
      await page.locator('.chat .question', { hasText: question }).first().waitFor();
      const chips = await page.locator('.turn').first().locator('.citation-chip').count();
      assert(chips > 0, 'the reopened transcript has no citation chips');
      const item = page.locator('.thread-item.current');
      await item.waitFor({ timeout: 10_000 });
      // Open it again from the sidebar after starting a new conversation.
      await page.getByRole('button', { name: '+ New conversation' }).click();
      await page.getByRole('heading', { name: 'Ask your documents' }).waitFor();
      await page.locator('.thread-item .thread-open').first().click();
      await page.locator('.chat .question', { hasText: question }).first().waitFor();
      await page.locator('.chat .turn .citation-chip').first().click();
      await page.getByRole('dialog').waitFor({ timeout: 10_000 });
      await shoot(page, '06-history-reopened');
      await page.keyboard.press('Escape');
    });

    await step(
      'a conversation made through /v1/conversations and answered through /v1/responses is in the history',
      async () => {
        const opening = 'Notes for the offsite, made by a script';
        const followUp = 'Where do I change the port?';
        const post = async (path: string, body: unknown) => {
          const response = await fetch(`${baseUrl}/v1${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          assert(
            response.ok,
            `POST /v1${path} answered ${response.status}: ${await response.clone().text()}`,
          );
          const answer: unknown = await response.json();
          return answer;
        };
        const conversation = conversationObjectSchema.parse(
          await post('/conversations', { items: [{ role: 'user', content: opening }] }),
        );
        const answered = responseObjectSchema.parse(
          await post('/responses', {
            model: 'threadline-extractive',
            conversation: conversation.id,
            input: followUp,
          }),
        );
        assert(answered.status === 'completed', `the response ended ${answered.status}`);
        await page.reload();
        const item = page.locator('.thread-item', { hasText: opening });
        await item.waitFor({ timeout: 10_000 });
        await item.locator('.thread-open').click();
        await page.locator('.chat .question', { hasText: followUp }).first().waitFor({ timeout: 10_000 });
        assert(
          new URL(page.url()).hash.includes(conversation.id),
          `the conversation did not open as its thread: ${page.url()}`,
        );
        await shoot(page, '06b-conversation-from-v1');
        await page.getByRole('button', { name: '+ New conversation' }).click();
      },
    );

    await step('switch to the legacy backend and get an answer', async () => {
      await page.locator('select[aria-label="Backend"]').selectOption('legacy');
      await page.getByRole('heading', { name: 'Ask your documents' }).waitFor();
      const responses: string[] = [];
      page.on('response', (response) => responses.push(new URL(response.url()).pathname));
      await ask(page, question);
      await waitForAnswerEnd(page);
      assert(
        responses.some((path) => /^\/api\/assistants\/threads\/[^/]+\/messages$/.test(path)),
        `the legacy route was not used: ${responses.join(', ')}`,
      );
      const outcome = await lastAnswer(page).getAttribute('data-outcome');
      assert(outcome === 'completed', `legacy answer ended as ${outcome}`);
      const text = (await lastAnswer(page).locator('.markdown').textContent()) ?? '';
      assert(text.length > 20, 'the legacy answer is empty');
      await shoot(page, '07-legacy-answer');
      await page.locator('select[aria-label="Backend"]').selectOption('threadline');
    });

    await step('compare both backends on one question', async () => {
      await page.getByRole('link', { name: 'Compare' }).click();
      await page.getByLabel('Question to compare').fill(question);
      await page.getByRole('button', { name: 'Compare' }).click();
      await page.locator('table.results tbody tr').nth(1).waitFor({ timeout: 60_000 });
      const rows = await page.locator('table.results tbody tr').allTextContents();
      assert(rows.length === 2, `expected 2 result rows, saw ${rows.length}`);
      assert(
        rows.every((row) => row.includes('completed')),
        `not both completed: ${rows.join(' | ')}`,
      );
      const metrics = await page.locator('.compare-side .metrics').allTextContents();
      assert(
        metrics.length === 2 && metrics.every((line) => /First token\s*\d/.test(line) && /tok\/s/.test(line)),
        `metrics missing: ${metrics.join(' | ')}`,
      );
      await shoot(page, '08-compare');
    });

    await step(
      'offline: the shell opens from the service worker and queued questions go out on reconnect',
      async () => {
        await page.goto(`${baseUrl}/#/chat`);
        await page.evaluate(async () => {
          await navigator.serviceWorker.ready;
        });
        await page.reload(); // now controlled by the service worker
        await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
          timeout: 15_000,
        });
        await context.setOffline(true);
        await page.reload();
        // The banner's words exactly: a panel that failed to load may say so too ("… Check that it
        // is running, then retry."), depending on which request the offline reload cut first.
        await page.getByText('The server is unreachable.', { exact: true }).waitFor({ timeout: 15_000 });
        await ask(page, 'What is Threadline?');
        await page.getByText('Waiting for the server; this question will be sent automatically.').waitFor();
        await shoot(page, '09-offline-queued');
        await context.setOffline(false);
        await page.getByText('What is Threadline?').first().waitFor();
        await page.waitForFunction(
          () =>
            document.querySelectorAll('.turn.queued').length === 0 &&
            document.querySelectorAll('.answer').length > 0,
          undefined,
          { timeout: 30_000 },
        );
        await waitForAnswerEnd(page);
        const outcome = await lastAnswer(page).getAttribute('data-outcome');
        assert(outcome === 'completed', `the queued question ended as ${outcome}`);
      },
    );

    await step('a fresh browser precaches every chunk: lazy pages open offline on first visit', async () => {
      const fresh = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const first = await fresh.newPage();
        watchConsole(first);
        await first.goto(`${baseUrl}/#/chat`);
        await first.evaluate(async () => {
          await navigator.serviceWorker.ready;
        });
        await first.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
          timeout: 15_000,
        });
        const built = readdirSync(join(root, 'web/dist/assets'))
          .filter((name) => /\.(js|css)$/.test(name))
          .map((name) => `/assets/${name}`);
        const missing = await first.evaluate(async (paths) => {
          const found = await Promise.all(
            paths.map(async (path) => ((await caches.match(path)) ? null : path)),
          );
          return found.filter((path) => path !== null);
        }, built);
        assert(built.length >= 5 && missing.length === 0, `not precached: ${missing.join(', ')}`);
        await fresh.setOffline(true);
        // Knowledge and Compare were never loaded in this browser: only the precache has them.
        await first.getByRole('link', { name: 'Compare' }).click();
        await first.getByRole('heading', { name: 'Compare backends' }).waitFor({ timeout: 10_000 });
        await first.getByRole('link', { name: 'Knowledge' }).click();
        await first.getByRole('heading', { name: 'Knowledge base' }).waitFor({ timeout: 10_000 });
        await shoot(first, '10-offline-lazy-knowledge');
      } finally {
        await fresh.close();
      }
    });

    await step('dark theme and a 375 px wide phone screen', async () => {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(`${baseUrl}/${threadHash}`);
      await page.locator('.turn .citation-chip').first().click();
      await page.getByRole('dialog').waitFor();
      await shoot(page, '11-desktop-dark-chat');
      await page.emulateMedia({ colorScheme: 'light' });
      const phone = await browser!.newContext({
        viewport: { width: 375, height: 760 },
        colorScheme: 'dark',
        isMobile: true,
        hasTouch: true,
      });
      const small = await phone.newPage();
      await small.goto(`${baseUrl}/${threadHash}`);
      await small.locator('.turn').first().waitFor({ timeout: 15_000 });
      const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 1, `the page scrolls sideways at 375 px (${overflow}px)`);
      const background = await small.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert(background === 'rgb(21, 23, 27)', `dark theme not applied (body ${background})`);
      await shoot(small, '12-phone-dark-chat');
      await small.getByRole('button', { name: 'Show conversations' }).click();
      await shoot(small, '13-phone-dark-history');
      await small.goto(`${baseUrl}/#/knowledge`);
      await small.locator('table.files tbody tr').first().waitFor({ timeout: 15_000 });
      await shoot(small, '14-phone-dark-knowledge');
      await small.goto(`${baseUrl}/#/compare`);
      await shoot(small, '15-phone-dark-compare');
      // The header toggle overrides the system theme (Auto → Light) and is remembered.
      await small.getByRole('button', { name: /^Theme: Auto/ }).click();
      await small.goto(`${baseUrl}/${threadHash}`);
      await small.locator('.turn').first().waitFor({ timeout: 15_000 });
      const light = await small.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert(
        light === 'rgb(247, 247, 245)',
        `the Light choice did not override the dark system theme (${light})`,
      );
      await shoot(small, '16-phone-light-chat');
      await phone.close();
    });

    await step(
      'a quoted note in a document is shown as a quote: a rule beside it, no wide indent',
      async () => {
        const notePath = join(artifactsDir, 'e2e-quoted-note.md');
        writeFileSync(
          notePath,
          [
            '# Ferry timetable',
            '',
            'The harbour ferry crosses to the island every hour.',
            '',
            '> **Note**',
            '> The last harbour ferry on Sundays leaves at nine, an hour earlier than on weekdays.',
            '',
          ].join('\n'),
        );
        // A page of its own: the main page's thread and history stay as the steps before left them.
        const notes = await context.newPage();
        watchConsole(notes);
        await notes.goto(`${baseUrl}/#/knowledge`);
        await notes.locator('input[type="file"]').setInputFiles(notePath);
        const row = notes.locator('table.files tbody tr', { hasText: 'e2e-quoted-note.md' });
        await row.getByText(/Ready/).waitFor({ timeout: 30_000 });
        await notes.getByRole('link', { name: 'Chat' }).click();
        await ask(notes, 'When does the last harbour ferry leave on Sundays?');
        await waitForAnswerEnd(notes);
        const quote = lastAnswer(notes).locator('.markdown blockquote');
        assert((await quote.count()) === 1, 'the note is not shown as a quote');
        const style = await quote.evaluate((element) => {
          const computed = getComputedStyle(element);
          return { rule: computed.borderLeftWidth, indent: computed.marginLeft };
        });
        assert(style.rule === '3px', `the quote has no rule beside it: ${style.rule}`);
        assert(parseFloat(style.indent) < 8, `the quote is indented ${style.indent}`);
        await shoot(notes, '16b-chat-quoted-note');
        await notes.getByRole('link', { name: 'Knowledge' }).click();
        await row.getByRole('button', { name: 'Delete e2e-quoted-note.md' }).click();
        await row.waitFor({ state: 'detached', timeout: 10_000 });
        await notes.close();
      },
    );

    await firstMinuteSteps(browser, {
      step,
      assert,
      shoot,
      watchConsole,
      setMainPage: (shown) => {
        mainPage = shown;
      },
    });

    await step('no errors in the browser console', async () => {
      // Offline reloads log failed fetches by design; anything else is a bug.
      const unexpected = consoleErrors.filter(
        (text) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED|net::/.test(text),
      );
      assert(unexpected.length === 0, `console errors:\n${unexpected.join('\n')}`);
    });
  } catch (error) {
    failed += 1;
    process.stdout.write(`  ✗ setup: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    await browser?.close();
    await Promise.all([server?.stop(), llmServer?.stop()]);
    await fakeLlm?.close();
  }
  process.stdout.write(`\ne2e screenshots: ${artifactsDir}\n`);
  for (const path of screenshots) process.stdout.write(`  ${path}\n`);
  process.stdout.write(`e2e: ${passed} passed, ${failed} failed\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
