// Notebook runs change the process's current directory and Console; the engine serialises them, and so do the tests.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
