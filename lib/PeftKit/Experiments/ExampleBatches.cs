using PeftKit.Models;

namespace PeftKit.Experiments;

/// <summary>The batch order every task's data shares: endless seeded epochs for training, one pass in order for evaluation.</summary>
internal static class ExampleBatches
{
    /// <summary>
    /// Endless training batches: every epoch the examples in a new order (seeded). Batches never straddle epochs; a short
    /// last batch is dropped only when the set is larger than a batch.
    /// </summary>
    public static IEnumerable<ModelInput> Endless<T>(T[] rows, int batchSize, int seed, Func<T[], ModelInput> batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (rows.Length == 0) throw new InvalidOperationException("The training split is empty.");
        return Iterate();

        IEnumerable<ModelInput> Iterate()
        {
            var rng = new Random(seed);
            var order = Enumerable.Range(0, rows.Length).ToArray();
            while (true)
            {
                rng.Shuffle(order);
                int usable = rows.Length >= batchSize ? rows.Length - rows.Length % batchSize : rows.Length;
                for (int i = 0; i < usable; i += batchSize)
                    yield return batch([.. order.Skip(i).Take(Math.Min(batchSize, usable - i)).Select(j => rows[j])]);
            }
        }
    }

    /// <summary>One pass over the examples in order; the last batch may be smaller.</summary>
    public static IEnumerable<ModelInput> InOrder<T>(T[] rows, int batchSize, Func<T[], ModelInput> batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return Iterate();

        IEnumerable<ModelInput> Iterate()
        {
            for (int i = 0; i < rows.Length; i += batchSize)
                yield return batch(rows[i..Math.Min(rows.Length, i + batchSize)]);
        }
    }
}
