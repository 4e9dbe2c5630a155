import { useRef, useState, type FormEvent } from 'react';
import { answerFromRun, emptyAnswer, type Answer } from '../../components/answer/answer.js';
import { AnswerView } from '../../components/answer/answer-view.js';
import { backendTypes, describeBackend, type BackendType } from '../../config/api.js';
import { runQuestion } from '../../lib/run-question.js';
import { compareMetrics, formatMs, formatRate, type CompareMetrics } from './compare-metrics.js';

type Side = { answer: Answer; metrics: CompareMetrics | null };
type Result = { id: number; question: string; sides: Record<BackendType, CompareMetrics> };

const blank: Side = { answer: { ...emptyAnswer, isStreaming: false }, metrics: null };

function MetricsLine({ metrics }: { metrics: CompareMetrics | null }) {
  if (!metrics) return null;
  return (
    <dl className="metrics">
      <div>
        <dt>First token</dt>
        <dd>{formatMs(metrics.timeToFirstTokenMs)}</dd>
      </div>
      <div>
        <dt>Total</dt>
        <dd>{formatMs(metrics.totalMs)}</dd>
      </div>
      <div>
        <dt>Speed</dt>
        <dd>{formatRate(metrics.tokensPerSecond)}</dd>
      </div>
      <div>
        <dt>Citations</dt>
        <dd>{metrics.citations}</dd>
      </div>
    </dl>
  );
}

/** One question to both backends at once, answers side by side, and the session's results. */
export function ComparePage() {
  const [question, setQuestion] = useState('');
  const [sides, setSides] = useState<Record<BackendType, Side>>({ threadline: blank, legacy: blank });
  const [results, setResults] = useState<Result[]>([]);
  const [isRunning, setIsRunning] = useState(false);
  const controller = useRef<AbortController | null>(null);

  const run = async (event: FormEvent) => {
    event.preventDefault();
    const content = question.trim();
    if (content === '' || isRunning) return;
    const abort = new AbortController();
    controller.current = abort;
    setIsRunning(true);
    const finals = await Promise.all(
      backendTypes.map((backend) =>
        runQuestion({
          backend,
          content,
          signal: abort.signal,
          // Threadline searches the user's default knowledge base; its thread is labelled a Compare run.
          ...(backend === 'threadline' ? { origin: 'compare' as const } : {}),
          onState: (state) =>
            setSides((current) => ({
              ...current,
              [backend]: { answer: answerFromRun(state), metrics: null },
            })),
        }).then((state) => {
          const metrics = compareMetrics(state);
          setSides((current) => ({ ...current, [backend]: { answer: answerFromRun(state), metrics } }));
          return [backend, metrics] as const;
        }),
      ),
    );
    const byBackend = new Map(finals);
    const threadline = byBackend.get('threadline');
    const legacy = byBackend.get('legacy');
    if (threadline && legacy) {
      setResults((current) => [
        { id: current.length + 1, question: content, sides: { threadline, legacy } },
        ...current,
      ]);
    }
    setIsRunning(false);
  };

  return (
    <section className="compare page-column wide" aria-label="Compare backends">
      <h1>Compare backends</h1>
      <p className="lead">
        One question goes to Threadline and to the legacy route at the same time. Tokens are estimated as
        characters ÷ 4; speed is measured from the first token to the end.
      </p>
      <form className="compare-form" onSubmit={(event) => void run(event)}>
        <input
          aria-label="Question to compare"
          placeholder="Ask both backends…"
          value={question}
          onChange={(event) => setQuestion(event.target.value)}
        />
        {isRunning ? (
          <button type="button" className="button stop" onClick={() => controller.current?.abort()}>
            Stop
          </button>
        ) : (
          <button type="submit" className="button primary" disabled={question.trim() === ''}>
            Compare
          </button>
        )}
      </form>
      <div className="compare-columns">
        {backendTypes.map((backend) => (
          <div className="card compare-side" key={backend} data-backend={backend}>
            <h2>{describeBackend(backend).label}</h2>
            <MetricsLine metrics={sides[backend].metrics} />
            {sides[backend].answer.text === '' &&
            !sides[backend].answer.isStreaming &&
            !sides[backend].answer.problem ? (
              <p className="placeholder">The answer appears here.</p>
            ) : (
              <AnswerView answer={sides[backend].answer} />
            )}
          </div>
        ))}
      </div>
      {results.length > 0 && (
        <div className="table-wrap">
          <table className="results">
            <caption>This session's results</caption>
            <thead>
              <tr>
                <th>#</th>
                <th>Question</th>
                <th>Backend</th>
                <th>Outcome</th>
                <th>First token</th>
                <th>Total</th>
                <th>Speed (est.)</th>
                <th>Citations</th>
              </tr>
            </thead>
            <tbody>
              {results.flatMap((result) =>
                backendTypes.map((backend, index) => (
                  <tr key={`${result.id}-${backend}`}>
                    {index === 0 && <td rowSpan={backendTypes.length}>{result.id}</td>}
                    {index === 0 && <td rowSpan={backendTypes.length}>{result.question}</td>}
                    <td>{describeBackend(backend).label}</td>
                    <td>{result.sides[backend].outcome ?? '—'}</td>
                    <td>{formatMs(result.sides[backend].timeToFirstTokenMs)}</td>
                    <td>{formatMs(result.sides[backend].totalMs)}</td>
                    <td>{formatRate(result.sides[backend].tokensPerSecond)}</td>
                    <td>{result.sides[backend].citations}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
