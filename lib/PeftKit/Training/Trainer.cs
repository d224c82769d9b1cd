using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftKit.Training;

/// <summary>
/// A model-agnostic training loop: AdamW (TorchSharp's, with a decay and a no-decay parameter group, split further
/// by <see cref="TrainerConfig.LearningRateMultiplier"/>) over the parameters that require gradients, a warmup + decay
/// learning-rate schedule, global-norm gradient clipping, gradient accumulation, periodic evaluation, early stopping,
/// best-checkpoint keeping and divergence detection.
/// It knows nothing about models: it sees named parameters and a function from a batch to a scalar loss.
/// It never prints; progress goes to the <see cref="IProgress{T}"/> the caller passes (see <see cref="ConsoleProgress"/>
/// and <see cref="NotebookProgress"/>).
/// </summary>
/// <typeparam name="TBatch">Whatever one micro-batch is (tensors, a record of tensors, indices).</typeparam>
public sealed partial class Trainer<TBatch> : IDisposable
{
    readonly TrainerConfig _config;
    readonly Func<TBatch, Tensor> _loss;
    readonly Func<IReadOnlyDictionary<string, double>>? _evaluator;
    readonly IProgress<TrainingEvent>? _progress;
    readonly Func<TBatch, long>? _tokenCount;
    readonly Parameter[] _trainable;
    readonly AdamW _optimizer;
    readonly AdamW.ParamGroup[] _groups;
    readonly double[] _groupScales;
    readonly long _trainableCount, _frozenCount;
    readonly Device _device;
    Tensor[]? _best;
    bool _used;

    /// <summary>Prepares a run; the optimizer state is created here for the trainable parameters only.</summary>
    /// <param name="config">Hyper-parameters; <see cref="TrainerConfig.Validate"/> is called here.</param>
    /// <param name="parameters">Named parameters, e.g. <c>module.named_parameters()</c>. Those with requires_grad = false
    /// are frozen: the optimizer never sees them.</param>
    /// <param name="loss">Maps a micro-batch to a scalar loss tensor (mean over the batch) that depends on the trainable parameters.</param>
    /// <param name="evaluator">Called under no_grad every <see cref="TrainerConfig.EvalEvery"/> steps and after the last step;
    /// returns named metrics. It must put the model back into training mode if it switches it to eval mode.</param>
    /// <param name="progress">Receives <see cref="TrainingEvent"/>s synchronously on the training thread.</param>
    /// <param name="tokenCount">Tokens in a micro-batch, for tokens/s (host-side, e.g. the attention-mask sum known when
    /// batching); null reports no throughput.</param>
    public Trainer(TrainerConfig config, IEnumerable<(string name, Parameter parameter)> parameters, Func<TBatch, Tensor> loss,
        Func<IReadOnlyDictionary<string, double>>? evaluator = null, IProgress<TrainingEvent>? progress = null,
        Func<TBatch, long>? tokenCount = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(parameters);
        _config = config.Validate();
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _evaluator = evaluator;
        _progress = progress;
        _tokenCount = tokenCount;
        if (evaluator is null && (config.EarlyStoppingPatience is not null || config.KeepBestCheckpoint))
            throw new ArgumentException(
                "TrainerConfig.EarlyStoppingPatience and KeepBestCheckpoint watch an evaluation metric: pass an evaluator, or turn them off.",
                nameof(evaluator));

        var named = parameters.ToArray();
        var duplicate = named.GroupBy(p => p.name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Parameter name '{duplicate.Key}' appears {duplicate.Count()} times; names must be unique.", nameof(parameters));
        var noDecay = config.NoDecay ?? TrainerConfig.DefaultNoDecay;
        var trainable = named.Where(p => p.parameter.requires_grad).ToArray();
        if (trainable.Length == 0)
            throw new ArgumentException(
                $"None of the {named.Length} parameters requires a gradient, so there is nothing to train. Unfreeze some (requires_grad = true).",
                nameof(parameters));
        var decayed = trainable.Where(p => !noDecay(p.name, p.parameter)).ToArray();
        var undecayed = trainable.Where(p => noDecay(p.name, p.parameter)).ToArray();
        DecayParameterNames = decayed.Select(p => p.name).ToArray();
        NoDecayParameterNames = undecayed.Select(p => p.name).ToArray();
        FrozenParameterNames = named.Where(p => !p.parameter.requires_grad).Select(p => p.name).ToArray();
        _trainable = decayed.Concat(undecayed).Select(p => p.parameter).ToArray();
        _trainableCount = trainable.Sum(p => p.parameter.numel());
        _frozenCount = named.Where(p => !p.parameter.requires_grad).Sum(p => p.parameter.numel());
        _device = _trainable[0].device;

        // One AdamW parameter group per (weight decay or not, learning-rate multiplier) — two groups unless
        // TrainerConfig.LearningRateMultiplier gives some parameters their own rate; empty groups are left out
        // (TorchSharp keeps state per parameter, so a frozen parameter, never added, gets no exp_avg/exp_avg_sq at all).
        var multiplier = config.LearningRateMultiplier;
        double MultiplierOf(string name)
        {
            if (multiplier is null) return 1;
            var m = multiplier(name);
            return double.IsFinite(m) && m > 0 ? m
                : throw new ArgumentException($"TrainerConfig.LearningRateMultiplier returned {m} for '{name}'; it must return a finite number above 0 for every trainable parameter (1 = the shared rate).", nameof(config));
        }
        var groups = new List<AdamW.ParamGroup>();
        var scales = new List<double>();
        foreach (var (set, decay) in new[] { (decayed, config.WeightDecay), (undecayed, 0.0) })
            foreach (var byRate in set.GroupBy(p => MultiplierOf(p.name)).OrderBy(g => g.Key))
            {
                groups.Add(new AdamW.ParamGroup(byRate.Select(p => p.parameter), config.LearningRate * byRate.Key, config.Beta1, config.Beta2,
                    config.Epsilon, decay));
                scales.Add(byRate.Key);
            }
        _groups = groups.ToArray();
        _groupScales = scales.ToArray();
        // TorchSharp's AdamW update with its scalars kept alive across native calls (see ScalarSafeAdamW).
        _optimizer = new ScalarSafeAdamW(_groups, config.LearningRate, config.Beta1, config.Beta2, config.Epsilon, config.WeightDecay);
    }

    /// <summary>The configuration of this run.</summary>
    public TrainerConfig Config => _config;

    /// <summary>Trainable parameters that get weight decay.</summary>
    public IReadOnlyList<string> DecayParameterNames { get; }

    /// <summary>Trainable parameters exempt from weight decay (see <see cref="TrainerConfig.NoDecay"/>).</summary>
    public IReadOnlyList<string> NoDecayParameterNames { get; }

    /// <summary>Parameters given with requires_grad = false: never updated, no optimizer state.</summary>
    public IReadOnlyList<string> FrozenParameterNames { get; }

    /// <summary>The AdamW instance (tests inspect its state).</summary>
    internal AdamW Optimizer => _optimizer;

    /// <summary>
    /// Trains until <see cref="TrainerConfig.MaxSteps"/>, <see cref="TrainerConfig.MaxEpochs"/>, early stopping or
    /// cancellation, then restores the best checkpoint when one is kept. A trainer runs once.
    /// </summary>
    /// <param name="batches">Micro-batches of one epoch; enumerated again for every epoch. With only MaxEpochs set it
    /// must be a collection (its count fixes the schedule's length). Tensors the enumerator creates while producing
    /// a batch are disposed after that batch's step.</param>
    /// <param name="cancellationToken">Stops after the current micro-batch; the history is returned.</param>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public TrainingHistory Train(IEnumerable<TBatch> batches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (_used) throw new InvalidOperationException("This trainer has already run; create a new Trainer for another run.");
        _used = true;
        var run = new Run(this, PlanSteps(batches));
        return run.Execute(batches, cancellationToken);
    }

    int PlanSteps(IEnumerable<TBatch> batches)
    {
        int? fromEpochs = null;
        if (_config.MaxEpochs is int epochs)
        {
            if (batches.TryGetNonEnumeratedCount(out var n))
            {
                if (n == 0) throw new ArgumentException("The batch source is empty; there is nothing to train on.", nameof(batches));
                var stepsPerEpoch = (n + _config.AccumulationSteps - 1) / _config.AccumulationSteps;
                fromEpochs = (int)Math.Min(int.MaxValue, (long)epochs * stepsPerEpoch);
            }
            else if (_config.MaxSteps is null)
                throw new ArgumentException(
                    "With only TrainerConfig.MaxEpochs set the trainer must know the epoch length: pass the batches as a list/array, or set MaxSteps.",
                    nameof(batches));
        }
        var total = Math.Min(fromEpochs ?? int.MaxValue, _config.MaxSteps ?? int.MaxValue);
        if (_config.WarmupSteps > 0 && _config.WarmupSteps >= total)
            throw new ArgumentException(
                $"TrainerConfig.WarmupSteps ({_config.WarmupSteps}) must be below the run's length ({total} steps); shorten the warmup.");
        return total;
    }

    /// <summary>Clips the global L2 norm of the trainable gradients like torch.nn.utils.clip_grad_norm_, without a
    /// host sync: total = ‖(‖g₁‖, …, ‖gₙ‖)‖, every g *= min(1, max / (total + 1e-6)). Returns total (detached).</summary>
    internal static Tensor ClipGradNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToArray();
        if (grads.Length == 0) return tensor(0.0).MoveToOuterDisposeScope();
        var sameType = grads.All(g => g.dtype == grads[0].dtype);
        var norms = stack(grads.Select(g => sameType ? linalg.vector_norm(g) : linalg.vector_norm(g).to(ScalarType.Float32)).ToArray());
        var total = linalg.vector_norm(norms);
        var coef = (maxNorm / (total + 1e-6)).clamp_max(1.0);
        using (no_grad())
            foreach (var g in grads) g.mul_(coef.to(g.dtype));
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>Frees the optimizer state and the best-checkpoint copy.</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        if (_best is not null) foreach (var t in _best) t.Dispose();
        _best = null;
    }
}
