import type { AssistantStreamEvent, Run, RunStep } from '@threadline/shared';
import { terminalRunStatuses } from '@threadline/shared';
import { AppError } from '../../../http/index.js';
import type { ToolOutput } from '../../engine.js';
import type { EngineState } from '../store/engine-state.js';
import { isSecondActiveRun } from '../store/engine-store.js';
import type { Page, PageQuery } from '../store/json-table.js';
import { foundOr404, missingObject } from '../store/not-found.js';
import { pendingToolStep } from './pending-tool-step.js';
import { newRun, withoutResultContent } from './run-objects.js';
import { planRun, runToolsOf, type LocalRunOptions, type RetrievalDefaults } from './run-plan.js';
import { cancelIdleRun, endOrphanedRuns, expireIfDue } from './run-recovery.js';
import { RunRegistry, runLeaseMs } from './run-registry.js';
import { RunTask, type RunTaskDeps } from './run-task.js';

export type StartedRunTurn = { run: Run; events: AsyncIterable<AssistantStreamEvent> | null; task: RunTask };

/** Runs and their steps: stored rows, overlaid by the live task while one is executing. */
export class LocalRuns {
  readonly registry: RunRegistry;

  constructor(
    private readonly store: EngineState,
    private readonly taskDeps: RunTaskDeps,
    private readonly defaults: RetrievalDefaults,
    onLeaseError?: (error: unknown) => void,
  ) {
    this.registry = new RunRegistry(store, onLeaseError);
  }

  /** Creates a run and starts it; with `subscribe` the returned events are the run's whole stream. */
  async start(
    threadId: string,
    assistantId: string,
    options: LocalRunOptions,
    subscribe: boolean,
  ): Promise<StartedRunTurn> {
    const thread = foundOr404(await this.store.threads.get(threadId), 'thread', threadId);
    const assistant = foundOr404(await this.store.assistants.get(assistantId), 'assistant', assistantId);
    const active = await this.registry.activeRun(threadId);
    const busy = (runId: string | undefined) =>
      new AppError(
        'thread_busy',
        400,
        `Thread ${threadId} already has an active run${runId ? ` ${runId}` : ''}.`,
      );
    if (active) throw busy(active.id);
    const tools = runToolsOf(options);
    const run = newRun({
      thread,
      assistant,
      model: options.model ?? assistant.model,
      instructions: options.instructions ?? assistant.instructions,
      tools,
      metadata: options.metadata ?? null,
      parameters: options.parameters,
    });
    const plan = planRun({ thread, assistant, tools, options, defaults: this.defaults });
    // Leased from the start where runs are leased: a run without one would look abandoned.
    try {
      if (this.store.hasRunLeases) {
        await this.store.transaction(async (inside) => {
          await inside.runs.insert(run, threadId);
          await inside.renewRunLeases([run.id], runLeaseMs);
        });
      } else {
        await this.store.runs.insert(run, threadId);
      }
    } catch (error) {
      // Another request started one between the check above and this insert.
      if (!isSecondActiveRun(error)) throw error;
      throw busy((await this.registry.activeRun(threadId))?.id);
    }
    const task = new RunTask(this.taskDeps, run);
    const events = subscribe ? task.subscribe() : null;
    task.start(plan);
    this.registry.track(task);
    return { run, events, task };
  }

  async startToolOutputs(
    threadId: string,
    runId: string,
    toolOutputs: ToolOutput[],
    subscribe: boolean,
  ): Promise<StartedRunTurn> {
    const run = await this.get(threadId, runId);
    if (run.status !== 'requires_action' || this.registry.has(runId)) {
      throw new AppError('bad_request', 400, `Runs in status "${run.status}" do not accept tool outputs.`);
    }
    const toolStep = await pendingToolStep(this.store, run, toolOutputs);
    await this.store.renewRunLeases([run.id], runLeaseMs);
    const task = new RunTask(this.taskDeps, run);
    const events = subscribe ? task.subscribe() : null;
    task.resume(toolStep, toolOutputs);
    this.registry.track(task);
    return { run: task.run, events, task };
  }

  async get(threadId: string, runId: string): Promise<Run> {
    const run = await this.store.runs.get(runId);
    if (run?.thread_id !== threadId) throw missingObject('run', runId);
    return this.registry.get(runId)?.run ?? expireIfDue(this.store, run);
  }

  async updateMetadata(
    threadId: string,
    runId: string,
    metadata: Record<string, string> | null,
  ): Promise<Run> {
    const updated = { ...(await this.get(threadId, runId)), metadata: metadata ?? {} };
    const task = this.registry.get(runId);
    if (task) task.run = { ...task.run, metadata: metadata ?? {} };
    await this.store.runs.update(task?.run ?? updated);
    return task?.run ?? updated;
  }

  async list(threadId: string, query: PageQuery): Promise<Page<Run>> {
    foundOr404(await this.store.threads.get(threadId), 'thread', threadId);
    const page = await this.store.runs.list(threadId, query);
    const data: Run[] = [];
    for (const run of page.data) data.push(await expireIfDue(this.store, run));
    return { ...page, data };
  }

  async listSteps(
    threadId: string,
    runId: string,
    query: PageQuery,
    isContentShown: boolean,
  ): Promise<Page<RunStep>> {
    await this.get(threadId, runId);
    const page = await this.store.steps.list(runId, query);
    return isContentShown ? page : { ...page, data: page.data.map(withoutResultContent) };
  }

  async getStep(threadId: string, runId: string, stepId: string, isContentShown: boolean): Promise<RunStep> {
    await this.get(threadId, runId);
    const step = await this.store.steps.get(stepId);
    if (step?.run_id !== runId) throw missingObject('run step', stepId);
    return isContentShown ? step : withoutResultContent(step);
  }

  /** Asks a run to stop; answers at once with the run as it is (`cancelling` while work stops). */
  async cancel(threadId: string, runId: string): Promise<Run> {
    const { run, stored } = await this.cancelAndSettle(threadId, runId);
    stored.catch(() => {}); // the stream's reader and the next cancelActive see how it ended
    return run;
  }

  /** Every active run of the thread cancelled and stored as terminal when this resolves. */
  async cancelActive(threadId: string): Promise<void> {
    await endOrphanedRuns(this.store, (runId) => this.registry.has(runId), threadId);
    for (const runId of await this.store.activeRunIds(threadId)) {
      const run = this.registry.get(runId)?.run ?? (await this.store.runs.get(runId));
      if (!run || terminalRunStatuses.includes(run.status)) {
        await this.registry.get(runId)?.requestCancel();
        continue;
      }
      if ((await expireIfDue(this.store, run)).status === 'expired') continue;
      await (
        await this.cancelAndSettle(threadId, runId)
      ).stored;
    }
  }

  private async cancelAndSettle(
    threadId: string,
    runId: string,
  ): Promise<{ run: Run; stored: Promise<void> }> {
    const run = await this.get(threadId, runId);
    const task = this.registry.get(runId);
    if (task && !terminalRunStatuses.includes(run.status)) {
      const stored = task.requestCancel();
      return { run: task.run, stored };
    }
    if (this.store.hasRunLeases && (run.status === 'queued' || run.status === 'in_progress')) {
      // Executing on another instance: ask it, and settle when it has (or when it is found dead).
      await this.store.requestRunCancel(runId);
      return { run: { ...run, status: 'cancelling' }, stored: this.settledElsewhere(threadId, runId) };
    }
    if (run.status === 'cancelling' && this.store.hasRunLeases) {
      return { run, stored: this.settledElsewhere(threadId, runId) };
    }
    if (run.status !== 'requires_action') {
      throw new AppError('bad_request', 400, `Cannot cancel run with status '${run.status}'.`);
    }
    return { run: await cancelIdleRun(this.store, run), stored: Promise.resolve() };
  }

  /**
   * Resolves once a run executing on another instance has ended: that instance cancels it within
   * a poll (RunRegistry.takeCancelRequests), or, if it died, the run is ended here once its lease
   * lapses. Past a lease and a half with the run still leased and active: 409, try again.
   */
  private async settledElsewhere(threadId: string, runId: string): Promise<void> {
    const deadline = Date.now() + runLeaseMs * 1.5;
    for (;;) {
      await endOrphanedRuns(this.store, (id) => this.registry.has(id), threadId);
      const run = await this.store.runs.get(runId);
      if (!run || terminalRunStatuses.includes(run.status)) return;
      // It stopped for tool outputs before it saw the request: nothing executes it now.
      if (run.status === 'requires_action') {
        await cancelIdleRun(this.store, run);
        return;
      }
      if (Date.now() > deadline)
        throw new AppError(
          'thread_busy',
          409,
          `Run ${runId} is still ${run.status} on another instance; try again shortly.`,
        );
      await new Promise<void>((resolve) => setTimeout(resolve, settlePollMs));
    }
  }
}

/** How often a cancel waiting on another instance looks at the run again. */
const settlePollMs = 200;
