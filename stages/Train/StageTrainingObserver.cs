using CrossDomain.Engine.Progress;
using CrossDomain.Trainer.Training;

namespace CrossDomain.Stages.Train;

/// <summary>
/// Shows the trainer's progress through the engine: one bar per seed over its batches (sized for the maximum
/// epochs, closed early when early stopping ends the seed) and one log line per epoch.
/// </summary>
public sealed class StageTrainingObserver(IProgressSink sink, int maxEpochs) : ITrainingObserver, IDisposable
{
    private IProgressTask? _bar;
    private int _seed = int.MinValue;
    private double _done;

    public void OnStart(string message) => sink.Info(message);

    public void OnBatch(int seed, int epoch, int done, int total)
    {
        if (seed != _seed)
        {
            _bar?.Dispose();
            (_seed, _done) = (seed, 0);
            _bar = sink.Start($"seed {seed}", (double)maxEpochs * total);
        }
        if (done == 1) _bar!.Describe($"seed {seed} epoch {epoch}/{maxEpochs}");
        _bar!.Increment(1);
        _done++;
    }

    public void OnEpoch(EpochLog log, string line) => sink.Info(line);

    public void OnSeedEnd(int seed)
    {
        _bar?.SetTotal(Math.Max(1, _done));
        _bar?.Dispose();
        _bar = null;
        _seed = int.MinValue;
    }

    public void Dispose() => _bar?.Dispose();
}
