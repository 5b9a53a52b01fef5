using System.CommandLine;
using CrossDomain.Benchmarks;

// Benchmarks (not timed tests): see docs/performance.md.
var stages = new Option<int>("--stages") { DefaultValueFactory = _ => 10 };
var megabytes = new Option<int>("--mb") { DefaultValueFactory = _ => 1024, Description = "Total artifact size in MB." };
var repeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 6 };
var engine = new Command("engine", "status and no-op run all on an up-to-date pipeline") { stages, megabytes, repeats };
engine.SetAction(async parse => await EngineBenchmark.RunAsync(parse.GetValue(stages), parse.GetValue(megabytes), parse.GetValue(repeats)));

var interactions = new Option<long>("--interactions") { DefaultValueFactory = _ => 10_000_000 };
var items = new Option<int>("--items") { DefaultValueFactory = _ => 1_000_000 };
var keep = new Option<string?>("--keep") { Description = "Keep the generated data in this folder." };
var data = new Command("data", "synthetic raw files at scale: ingest and sequences throughput and peak memory") { interactions, items, keep };
data.SetAction(parse => DataBenchmark.Run(parse.GetValue(interactions), parse.GetValue(items), parse.GetValue(keep)));

var phaseName = new Argument<string>("phase");
var dir = new Argument<string>("dir");
var n = new Argument<long>("interactions");
var m = new Argument<int>("items");
var phase = new Command("phase", "internal: one phase of the data benchmark in its own process") { phaseName, dir, n, m };
phase.Hidden = true;
phase.SetAction(async parse => await DataBenchmark.PhaseAsync(parse.GetValue(phaseName)!, parse.GetValue(dir)!, parse.GetValue(n), parse.GetValue(m)));

var extractItems = new Option<int>("--items") { DefaultValueFactory = _ => 10_000, Description = "Items for the throughput run." };
var latency = new Option<int>("--latency-ms") { DefaultValueFactory = _ => 50, Description = "Fixed latency L of the fake LLM server." };
var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => 16, Description = "Concurrency C of the extract stage." };
var endpoints = new Option<int>("--endpoints") { DefaultValueFactory = _ => 1, Description = "Fake servers of latency L the calls are spread over (llm.endpoints)." };
var throughputOnly = new Option<bool>("--throughput-only") { Description = "Skip the cached and offline runs over the real items." };
var dataDir = new Option<string>("--data") { DefaultValueFactory = _ => "../shared/data/amazon2014-food-kitchen" };
var extract = new Command("extract", "LLM-call throughput against fake servers (vs C/L), cached rerun and offline extractor on the real items") { extractItems, latency, concurrency, endpoints, throughputOnly, dataDir, keep };
extract.SetAction(async parse => await ExtractBenchmark.RunAsync(parse.GetValue(extractItems), parse.GetValue(latency), parse.GetValue(concurrency), parse.GetValue(endpoints),
    parse.GetValue(throughputOnly), parse.GetValue(dataDir)!, parse.GetValue(keep)));

var embedData = new Option<string>("--data") { DefaultValueFactory = _ => "../shared/data/amazon2014-food-kitchen" };
var embed = new Command("embed", "lsa and onnx (tiny generated model) embedding throughput over the real item titles") { embedData };
embed.SetAction(async parse => await EmbedBenchmark.RunAsync(parse.GetValue(embedData)!));

var features = new Option<string>("--features") { DefaultValueFactory = _ => "artifacts/food-kitchen/features_food_to_kitchen", Description = "A features stage's output folder." };
var model = new Option<string>("--model") { DefaultValueFactory = _ => "sasrec" };
var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 50 };
var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 42 };
var patience = new Option<int>("--patience") { DefaultValueFactory = _ => 10 };
var dropout = new Option<double>("--dropout") { DefaultValueFactory = _ => 0.5 };
var lr = new Option<double>("--lr") { DefaultValueFactory = _ => 1e-3 };
var hidden = new Option<int>("--hidden") { DefaultValueFactory = _ => 64 };
var blocks = new Option<int>("--blocks") { DefaultValueFactory = _ => 2 };
var maxLen = new Option<int>("--max-len") { DefaultValueFactory = _ => 100 };
var heads = new Option<int>("--heads") { DefaultValueFactory = _ => 1 };
var batchSize = new Option<int>("--batch") { DefaultValueFactory = _ => 256 };
var weightDecay = new Option<double>("--weight-decay") { DefaultValueFactory = _ => 0 };
var negativesCount = new Option<int>("--negatives") { DefaultValueFactory = _ => 100, Description = "Sampled-protocol negatives per case (999 under mixed_loo as ABXI)." };
var modelParams = new Option<string[]>("--param") { Description = "A model_params entry, key=value (repeatable), e.g. --param ablation=w/o CDBehav", AllowMultipleArgumentsPerToken = false };
var train = new Command("train", "training (sequences/s, s/epoch) and full-ranking evaluation (users/s) throughput of one model") { features, model, epochs, seed, patience, dropout, lr, hidden, blocks, maxLen, heads, batchSize, weightDecay, negativesCount, modelParams };
train.SetAction(async parse =>
{
    var pairs = (parse.GetValue(modelParams) ?? []).Select(kv => kv.Split('=', 2)).ToList();
    if (pairs.FirstOrDefault(kv => kv.Length != 2) is { } bad) throw new ArgumentException($"--param {string.Join("=", bad)}: expected key=value");
    var s = parse.GetValue(seed);
    var config = new CrossDomain.Trainer.Training.TrainingConfig
    {
        Model = parse.GetValue(model)!, Seeds = [s], Epochs = parse.GetValue(epochs), Patience = parse.GetValue(patience), Dropout = parse.GetValue(dropout),
        LearningRate = parse.GetValue(lr), Hidden = parse.GetValue(hidden), Blocks = parse.GetValue(blocks), MaxLength = parse.GetValue(maxLen), Device = "cpu",
        Heads = parse.GetValue(heads), BatchSize = parse.GetValue(batchSize), WeightDecay = parse.GetValue(weightDecay),
        ModelParams = pairs.ToDictionary(kv => kv[0], kv => kv[1]),
    };
    await TrainBenchmark.RunAsync(parse.GetValue(features)!, config, parse.GetValue(negativesCount));
});

var gzipFile = new Argument<string>("file") { Description = "A gzip file, e.g. the data benchmark's reviews (--keep)." };
var gzipRepeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 3 };
var gzip = new Command("gzip", "decompression alone: System.IO.Compression (the ingest stage's) against SharpZipLib") { gzipFile, gzipRepeats };
gzip.SetAction(parse => GzipBenchmark.Run(parse.GetValue(gzipFile)!, parse.GetValue(gzipRepeats)));

var root = new RootCommand("CrossDomain benchmarks") { engine, data, phase, extract, embed, train, gzip };
return await root.Parse(args).InvokeAsync();
