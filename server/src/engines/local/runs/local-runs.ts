import type { AssistantStreamEvent, Run, RunStep } from '@threadline/shared';
import { terminalRunStatuses } from '@threadline/shared';
import { AppError } from '../../../http/index.js';
import type { ToolOutput } from '../../engine.js';
import type { EngineStore } from '../store/engine-store.js';
import type { Page, PageQuery } from '../store/json-table.js';
import { foundOr404, missingObject } from '../store/not-found.js';
import { pendingToolStep } from './pending-tool-step.js';
import { newRun, withoutResultContent } from './run-objects.js';
import { planRun, runToolsOf, type LocalRunOptions, type RetrievalDefaults } from './run-plan.js';
import { cancelIdleRun, expireIfDue } from './run-recovery.js';
import { RunRegistry } from './run-registry.js';
import { RunTask, type RunTaskDeps } from './run-task.js';

export type StartedRunTurn = { run: Run; events: AsyncIterable<AssistantStreamEvent> | null; task: RunTask };

/** Runs and their steps: stored rows, overlaid by the live task while one is executing. */
export class LocalRuns {
  readonly registry: RunRegistry;

  constructor(
    private readonly store: EngineStore,
    private readonly taskDeps: RunTaskDeps,
    private readonly defaults: RetrievalDefaults,
  ) {
    this.registry = new RunRegistry(store);
  }

  /** Creates a run and starts it; with `subscribe` the returned events are the run's whole stream. */
  start(threadId: string, assistantId: string, options: LocalRunOptions, subscribe: boolean): StartedRunTurn {
    const thread = foundOr404(this.store.threads.get(threadId), 'thread', threadId);
    const assistant = foundOr404(this.store.assistants.get(assistantId), 'assistant', assistantId);
    const active = this.registry.activeRun(threadId);
    if (active)
      throw new AppError('thread_busy', 400, `Thread ${threadId} already has an active run ${active.id}.`);
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
    this.store.runs.insert(run, threadId);
    const task = new RunTask(this.taskDeps, run);
    const events = subscribe ? task.subscribe() : null;
    task.start(plan);
    this.registry.track(task);
    return { run, events, task };
  }

  startToolOutputs(
    threadId: string,
    runId: string,
    toolOutputs: ToolOutput[],
    subscribe: boolean,
  ): StartedRunTurn {
    const run = this.get(threadId, runId);
    if (run.status !== 'requires_action' || this.registry.has(runId)) {
      throw new AppError('bad_request', 400, `Runs in status "${run.status}" do not accept tool outputs.`);
    }
    const toolStep = pendingToolStep(this.store, run, toolOutputs);
    const task = new RunTask(this.taskDeps, run);
    const events = subscribe ? task.subscribe() : null;
    task.resume(toolStep, toolOutputs);
    this.registry.track(task);
    return { run: task.run, events, task };
  }

  get(threadId: string, runId: string): Run {
    const run = this.store.runs.get(runId);
    if (run?.thread_id !== threadId) throw missingObject('run', runId);
    return this.registry.get(runId)?.run ?? expireIfDue(this.store, run);
  }

  updateMetadata(threadId: string, runId: string, metadata: Record<string, string> | null): Run {
    const task = this.registry.get(runId);
    const updated = { ...this.get(threadId, runId), metadata: metadata ?? {} };
    if (task) task.run = { ...task.run, metadata: metadata ?? {} };
    this.store.runs.update(task?.run ?? updated);
    return task?.run ?? updated;
  }

  list(threadId: string, query: PageQuery): Page<Run> {
    foundOr404(this.store.threads.get(threadId), 'thread', threadId);
    const page = this.store.runs.list(threadId, query);
    return { ...page, data: page.data.map((run) => expireIfDue(this.store, run)) };
  }

  listSteps(threadId: string, runId: string, query: PageQuery, isContentShown: boolean): Page<RunStep> {
    this.get(threadId, runId);
    const page = this.store.steps.list(runId, query);
    return isContentShown ? page : { ...page, data: page.data.map(withoutResultContent) };
  }

  getStep(threadId: string, runId: string, stepId: string, isContentShown: boolean): RunStep {
    this.get(threadId, runId);
    const step = this.store.steps.get(stepId);
    if (step?.run_id !== runId) throw missingObject('run step', stepId);
    return isContentShown ? step : withoutResultContent(step);
  }

  /** Asks a run to stop; answers at once with the run as it is (`cancelling` while work stops). */
  cancel(threadId: string, runId: string): Run {
    const run = this.get(threadId, runId);
    const task = this.registry.get(runId);
    if (task && !terminalRunStatuses.includes(run.status)) {
      task.requestCancel();
      return task.run;
    }
    if (run.status !== 'requires_action') {
      throw new AppError('bad_request', 400, `Cannot cancel run with status '${run.status}'.`);
    }
    return cancelIdleRun(this.store, run);
  }

  /** A cancel finishes the run synchronously, so every run is terminal when this returns. */
  cancelActive(threadId: string): void {
    for (const runId of this.store.activeRunIds(threadId)) {
      const run = this.store.runs.get(runId);
      if (!run || expireIfDue(this.store, run).status === 'expired') continue;
      this.cancel(threadId, runId);
    }
  }
}
