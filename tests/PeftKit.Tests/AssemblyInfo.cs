// Torch's default generator and thread settings are process-wide: a test that seeds it (KitTorch.Setup(seed),
// manual_seed before building a model) must not interleave with another class drawing from it, or seeded results
// differ from run to run. Test classes therefore run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
