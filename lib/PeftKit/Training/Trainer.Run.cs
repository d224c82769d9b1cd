using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using PeftKit.Measurement;

namespace PeftKit.Training;

/// <summary>One call to <see cref="Trainer{TBatch}.Train"/>: its loop, logging, evaluation and best-checkpoint state.</summary>
public sealed partial class Trainer<TBatch>
{
    /// <summary>The mutable state of one call to <see cref="Train"/>.</summary>
    sealed class Run(Trainer<TBatch> t, int totalSteps)
    {
        readonly TrainerConfig _c = t._config;
        readonly Stopwatch _clock = new();
        readonly TrainingHistory _history = new();
        // Losses (and gradient norms) stay on the device until a flush: one device→host copy per LogEvery steps
        // instead of one .item() sync per step. Every step's value is kept, so the history is complete and the
        // divergence check at the flush names the exact first non-finite step. The cost: up to LogEvery − 1 steps
        // run after a divergence before it is noticed; they are discarded and the run throws.
        readonly List<(int Step, int Epoch, double Lr, long Tokens, double Wall, Tensor Loss, Tensor? Norm)> _pending = [];
        int _step, _epoch, _lastEvalStep = -1, _sinceBest, _logWindowStart;
        double _lastLogWall;
        double? _best;
        int? _bestStep;

        public TrainingHistory Execute(IEnumerable<TBatch> batches, CancellationToken ct)
        {
            _history.Seed = _c.Seed;
            _history.Device = t._device.ToString();
            _history.TrainableParameters = t._trainableCount;
            _history.FrozenParameters = t._frozenCount;
            manual_seed(_c.Seed);
            if (t._device.type == DeviceType.CUDA) cuda.manual_seed_all(_c.Seed);
            t._optimizer.zero_grad();
            _clock.Start();
            Report(TrainingEventKind.Started, message:
                $"Training {t._trainableCount:N0} parameters ({t._frozenCount:N0} frozen) for {totalSteps:N0} steps on {_history.Device}.");
            try
            {
                _history.StopReason = Loop(batches, ct);
                Flush();
                if (t._evaluator is not null && _lastEvalStep != _step && _step > 0) Evaluate();
                _history.RestoredBest = RestoreBest();
                Finish();
                Report(TrainingEventKind.Finished, loss: _history.Steps.Count > 0 ? _history.Steps[^1].Loss : null, message:
                    $"Stopped after {_step} steps ({_history.StopReason}) in {_clock.Elapsed.TotalSeconds:F1} s." +
                    (_history.RestoredBest ? $" Restored the best weights (step {_bestStep}, {_c.Metric} = {_best:G6})." : ""));
                return _history;
            }
            finally
            {
                foreach (var p in _pending) { p.Loss.Dispose(); p.Norm?.Dispose(); }
                _pending.Clear();
            }
        }

        StopReason Loop(IEnumerable<TBatch> batches, CancellationToken ct)
        {
            var k = _c.AccumulationSteps;
            while (true)
            {
                if (_c.MaxEpochs is int maxEpochs && _epoch >= maxEpochs) return StopReason.MaxEpochs;
                _epoch++;
                int micro = 0, seen = 0;
                long tokens = 0;
                Tensor? lossSum = null;
                using var e = batches.GetEnumerator();
                while (true)
                {
                    if (ct.IsCancellationRequested)
                    {
                        lossSum?.Dispose();
                        t._optimizer.zero_grad();
                        return StopReason.Cancelled;
                    }
                    using var scope = NewDisposeScope();   // also owns tensors the enumerator creates for this batch
                    if (!e.MoveNext()) break;
                    seen++;
                    var batch = e.Current;
                    tokens += t._tokenCount?.Invoke(batch) ?? 0;
                    var loss = t._loss(batch);
                    CheckLoss(loss);
                    (k == 1 ? loss : loss / k).backward();   // mean over the step's micro-batches
                    using (no_grad())
                    {
                        if (lossSum is null) lossSum = loss.detach().clone().DetachFromDisposeScope();
                        else lossSum.add_(loss.detach());
                    }
                    if (++micro == k)
                    {
                        if (Step(micro, ref lossSum, tokens)) return Stopped();
                        micro = 0;
                        tokens = 0;
                    }
                }
                if (seen == 0) throw new InvalidOperationException($"The batch source produced no batches in epoch {_epoch}; it must yield the same batches every time it is enumerated.");
                if (micro > 0 && Step(micro, ref lossSum, tokens)) return Stopped();
            }
        }

        StopReason Stopped() => _c.MaxSteps is int m && _step >= m ? StopReason.MaxSteps
            : _step >= totalSteps && _c.MaxEpochs is not null ? StopReason.MaxEpochs
            : StopReason.EarlyStopping;

        void CheckLoss(Tensor loss)
        {
            if (loss.numel() != 1)
                throw new InvalidOperationException(
                    $"The loss function returned a tensor of shape [{string.Join(", ", loss.shape)}]; it must return a scalar (reduce with .mean()).");
            if (!loss.requires_grad)
                throw new InvalidOperationException(
                    "The loss does not require a gradient: it does not depend on any trainable parameter (are they all frozen, or computed under no_grad?).");
        }

        /// <summary>One optimizer step from the accumulated gradients; true when training must stop now.</summary>
        bool Step(int micro, ref Tensor? lossSum, long tokens)
        {
            var k = _c.AccumulationSteps;
            var lr = LearningRateSchedule.At(_step + 1, totalSteps, _c.LearningRate, _c.WarmupSteps, _c.Decay, _c.MinLearningRate);
            Tensor? norm = null;
            using (var scope = NewDisposeScope())
            {
                if (micro < k)
                    // A short last step of an epoch: the losses were divided by k, the mean needs 1/micro.
                    using (no_grad())
                        foreach (var p in t._trainable) { using var g = p.grad; g?.mul_((double)k / micro); }
                if (_c.MaxGradNorm is double max) norm = ClipGradNorm(t._trainable, max).DetachFromDisposeScope();
                for (int i = 0; i < t._groups.Length; i++) t._groups[i].LearningRate = lr * t._groupScales[i];
                t._optimizer.step();
                t._optimizer.zero_grad();
            }
            lossSum!.div_(micro);
            _step++;
            _pending.Add((_step, _epoch, lr, tokens, _clock.Elapsed.TotalSeconds, lossSum, norm));
            lossSum = null;

            var evalNow = t._evaluator is not null && _c.EvalEvery is int every && _step % every == 0;
            if (_step % _c.LogEvery == 0 || evalNow || _step >= totalSteps) Flush();
            if (_step % _c.LogEvery == 0) ReportLog();
            var stop = _step >= totalSteps;
            if (evalNow) stop |= Evaluate();
            return stop;
        }

        void Flush()
        {
            if (_pending.Count == 0) return;
            double[] losses, norms = [];
            using (var scope = NewDisposeScope())
            {
                losses = stack(_pending.Select(p => p.Loss.to(ScalarType.Float64)).ToArray()).cpu().data<double>().ToArray();
                if (_pending[0].Norm is not null)
                    norms = stack(_pending.Select(p => p.Norm!.to(ScalarType.Float64)).ToArray()).cpu().data<double>().ToArray();
            }
            var items = _pending.ToArray();
            foreach (var p in _pending) { p.Loss.Dispose(); p.Norm?.Dispose(); }
            _pending.Clear();
            for (var i = 0; i < items.Length; i++)
            {
                var (step, epoch, lr, tokens, wall, _, _) = items[i];
                _history.Steps.Add(new TrainStepRecord(step, epoch, losses[i], lr, norms.Length > 0 ? norms[i] : null, tokens, wall));
                if (!double.IsFinite(losses[i])) Diverge(step, losses[i], lr);
            }
        }

        void Diverge(int step, double loss, double lr)
        {
            var last = _history.Steps.LastOrDefault(s => double.IsFinite(s.Loss));
            _history.StopReason = null;
            _history.RestoredBest = RestoreBest();
            Finish();
            throw new TrainingDivergedException(step, loss, lr, last?.Step, last?.Loss, _c.MaxGradNorm is not null,
                _history.RestoredBest, _history);
        }

        /// <summary>Runs the evaluator; true when early stopping says stop.</summary>
        bool Evaluate()
        {
            Flush();
            Dictionary<string, double> metrics;
            using (no_grad())
            using (NewDisposeScope())
                metrics = new Dictionary<string, double>(t._evaluator!());
            _lastEvalStep = _step;
            _history.Evals.Add(new EvalRecord(_step, _epoch, _clock.Elapsed.TotalSeconds, metrics));
            var watched = _c.EarlyStoppingPatience is not null || _c.KeepBestCheckpoint;
            var isBest = false;
            if (metrics.TryGetValue(_c.Metric, out var value))
            {
                isBest = _best is null ? double.IsFinite(value) : Improves(value, _best.Value);
                if (isBest)
                {
                    _best = value;
                    _bestStep = _step;
                    _sinceBest = 0;
                    if (_c.KeepBestCheckpoint) Snapshot();
                }
                else _sinceBest++;
            }
            else if (watched)
                throw new InvalidOperationException(
                    $"The evaluator returned no metric '{_c.Metric}' (it returned: {string.Join(", ", metrics.Keys)}). Set TrainerConfig.Metric to one of them.");
            _history.BestStep = _bestStep;
            _history.BestMetric = _best;
            Report(TrainingEventKind.Eval, metrics: metrics, isBest: isBest);
            return _c.EarlyStoppingPatience is int patience && _sinceBest >= patience;
        }

        bool Improves(double value, double best) => _c.Goal == MetricGoal.Minimize
            ? value < best - _c.EarlyStoppingMinDelta
            : value > best + _c.EarlyStoppingMinDelta;

        void Snapshot()
        {
            using var _ = no_grad();
            t._best ??= new Tensor[t._trainable.Length];
            for (var i = 0; i < t._trainable.Length; i++)
            {
                t._best[i]?.Dispose();
                t._best[i] = t._trainable[i].detach().clone().DetachFromDisposeScope();
            }
        }

        bool RestoreBest()
        {
            if (!_c.KeepBestCheckpoint || t._best is null) return false;
            using var _ = no_grad();
            for (var i = 0; i < t._trainable.Length; i++) t._trainable[i].copy_(t._best[i]);
            return true;
        }

        void Finish()
        {
            _history.TotalSeconds = _clock.Elapsed.TotalSeconds;
            var trainSeconds = _history.Steps.Count > 0 ? _history.Steps[^1].WallSeconds : 0;
            _history.TokensPerSecond = t._tokenCount is null || trainSeconds <= 0 ? null : _history.Steps.Sum(s => s.Tokens) / trainSeconds;
            _history.PeakResidentBytes = ProcessMemory.PeakResidentBytes();
        }

        void ReportLog()
        {
            var window = _history.Steps.Skip(_logWindowStart).ToArray();
            _logWindowStart = _history.Steps.Count;
            var now = _clock.Elapsed.TotalSeconds;
            double? tps = t._tokenCount is null || now <= _lastLogWall ? null : window.Sum(s => s.Tokens) / (now - _lastLogWall);
            _lastLogWall = now;
            Report(TrainingEventKind.Log, loss: window.Length > 0 ? window.Average(s => s.Loss) : null, tokensPerSecond: tps);
        }

        void Report(TrainingEventKind kind, double? loss = null, double? tokensPerSecond = null,
            IReadOnlyDictionary<string, double>? metrics = null, bool isBest = false, string? message = null)
        {
            if (t._progress is null) return;
            var elapsed = _clock.Elapsed;
            TimeSpan? eta = _step == 0 ? null : elapsed / _step * Math.Max(0, totalSteps - _step);
            var lr = _history.Steps.Count > 0 ? _history.Steps[^1].LearningRate : 0;
            t._progress.Report(new TrainingEvent(kind, _step, totalSteps, _epoch, loss, lr, tokensPerSecond, elapsed, eta,
                metrics, isBest, message));
        }
    }
}
