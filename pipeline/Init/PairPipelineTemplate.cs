using System.Text;
using System.Text.RegularExpressions;

namespace CrossDomain.Pipeline.Init;

/// <summary>
/// The pipeline file <c>crossdomain init</c> writes for a domain pair: every stage named after the pair
/// (<c>beauty_to_electronics</c>, <c>train_sasrec_electronics_to_beauty</c>, ...), both directions, the baselines,
/// SemaCDR and TEMA-LLM, evaluate and report, with the defaults of the shipped pipelines. No schema file: an LLM
/// induces the schema, the offline extractor derives one from the category trees.
/// </summary>
public sealed partial record PairPipelineTemplate(
    string First, string Second, IReadOnlyList<string> FirstFiles, IReadOnlyList<string> SecondFiles,
    string Root, string Artifacts, int Seeds, IReadOnlyDictionary<string, string> DisplayNames)
{
    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex DomainName();

    /// <summary>Why <paramref name="name"/> cannot name a domain (it becomes part of stage names), or null.</summary>
    public static string? Problem(string name) => DomainName().IsMatch(name) ? null
        : $"domain name '{name}': use lowercase letters, digits and '_', starting with a letter (it becomes part of stage names)";

    private static readonly (string Model, string Params)[] Models =
    [
        ("popularity", "{ model: popularity }"),
        ("sasrec", "{ model: sasrec }"),
        ("sasrec_ce", "{ model: sasrec, loss: ce }"),
        ("gru4rec", "{ model: gru4rec, learning_rate: 0.005 }"),
        ("semacdr", "{ model: semacdr, model_params: { scale_inputs: \"true\" } }"),
        ("tema", "{ model: tema }"),
    ];

    public string Render()
    {
        var directions = new[] { (First, Second), (Second, First) }.Select(d => (Name: $"{d.Item1}_to_{d.Item2}", Source: d.Item1, Target: d.Item2)).ToList();
        var seeds = string.Join(", ", Enumerable.Range(1, Seeds));
        var sb = new StringBuilder();
        sb.AppendLine($"# {Title(First)}-{Title(Second)}: written by `crossdomain init --pair {First}:{Second}`. Edit freely; run it with");
        sb.AppendLine($"#   dotnet run --project pipeline -- --config <this file> run all");
        sb.AppendLine("# The stages mirror pipelines/food-kitchen.yaml (see docs for every param: crossdomain list --kinds).");
        sb.AppendLine($"description: {Title(First)} and {Title(Second)}, both directions");
        sb.AppendLine($"root: {Quote(Root)}                 # paths below are relative to this folder");
        sb.AppendLine($"artifacts: {Quote(Artifacts)}");
        sb.AppendLine();
        sb.AppendLine("defaults:");
        sb.AppendLine("  sequences: { min_item_interactions: 10, min_user_interactions: 3, overlapping_users_only: true, repeats: keep_first, filter: fixed_point, cross_domain_ties: source_first, max_len: 100 }");
        sb.AppendLine($"  negatives: {{ seeds: [ {seeds} ], count: 100 }}");
        sb.AppendLine($"  train: {{ seeds: [ {seeds} ], epochs: 300, patience: 50, min_epochs: 100, select_metric: NDCG@10, select_protocol: full, device: auto }}");
        sb.AppendLine();
        sb.AppendLine("stages:");
        sb.AppendLine("  ingest:");
        sb.AppendLine("    uses: ingest");
        sb.AppendLine("    params:");
        sb.AppendLine("      domains:");
        sb.AppendLine($"        {First}: {{ files: [ {string.Join(", ", FirstFiles.Select(Quote))} ] }}");
        sb.AppendLine($"        {Second}: {{ files: [ {string.Join(", ", SecondFiles.Select(Quote))} ] }}");
        foreach (var d in directions)
        {
            sb.AppendLine();
            sb.AppendLine($"  {d.Name}:");
            sb.AppendLine("    uses: sequences");
            sb.AppendLine("    deps: [ ingest.interactions ]");
            sb.AppendLine($"    params: {{ source: {d.Source}, target: {d.Target} }}");
        }
        sb.AppendLine();
        sb.AppendLine("  # Offline by default (a keyword tagger, not an LLM; its schema comes from the category trees). For an LLM:");
        sb.AppendLine("  #   --set stages.extract.params.llm.provider=ollama --set stages.extract.params.llm.model=llama3.1:8b --set stages.extract.params.llm.endpoint=http://localhost:11434");
        sb.AppendLine("  extract:");
        sb.AppendLine("    uses: extract");
        sb.AppendLine("    deps: [ ingest.items ]");
        sb.AppendLine("    params:");
        sb.AppendLine($"      domain_names: {{ {First}: {Quote(DisplayName(First))}, {Second}: {Quote(DisplayName(Second))} }}");
        sb.AppendLine("      llm: { provider: offline }");
        sb.AppendLine();
        sb.AppendLine("  embed:");
        sb.AppendLine("    uses: embed");
        sb.AppendLine("    deps: [ ingest.items, extract.item_semantics ]");
        sb.AppendLine("    params: { texts: [ description, title ], embedder: { kind: lsa, lsa: { dimensions: 128 } } }");
        foreach (var d in directions)
        {
            sb.AppendLine();
            sb.AppendLine($"  features_{d.Name}:");
            sb.AppendLine("    uses: features");
            sb.AppendLine($"    deps: [ {d.Name}, extract, embed.embeddings ]");
            sb.AppendLine("    params: { missing: zero }");
            sb.AppendLine();
            sb.AppendLine($"  negatives_{d.Name}:");
            sb.AppendLine("    uses: negatives");
            sb.AppendLine($"    deps: [ features_{d.Name} ]");
        }
        var trains = new List<string>();
        foreach (var d in directions)
            foreach (var (model, parameters) in Models)
            {
                var name = $"train_{model}_{d.Name}";
                trains.Add(name);
                sb.AppendLine();
                sb.AppendLine($"  {name}:");
                sb.AppendLine("    uses: train");
                sb.AppendLine($"    deps: [ features_{d.Name}, negatives_{d.Name} ]");
                sb.AppendLine($"    params: {parameters}");
            }
        sb.AppendLine();
        sb.AppendLine("  evaluate:");
        sb.AppendLine("    uses: evaluate");
        sb.AppendLine($"    deps: [ {string.Join(", ", trains)} ]");
        sb.AppendLine($"    params: {{ title: {Quote($"{Title(First)}-{Title(Second)}")} }}");
        sb.AppendLine();
        sb.AppendLine("  report:");
        sb.AppendLine("    uses: report");
        sb.AppendLine($"    deps: [ {string.Join(", ", directions.Select(d => d.Name))}, extract, {string.Join(", ", directions.Select(d => $"features_{d.Name}"))}, evaluate,");
        sb.AppendLine($"            {string.Join(", ", trains.Where(t => !t.StartsWith("train_popularity", StringComparison.Ordinal)))} ]");
        sb.AppendLine($"    params: {{ title: {Quote($"CrossDomain report: {Title(First)}-{Title(Second)}")} }}");
        return sb.ToString();
    }

    private string DisplayName(string domain) => DisplayNames.TryGetValue(domain, out var n) ? n : Title(domain);

    private static string Title(string name) => string.Join(' ', name.Split('_').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));

    /// <summary>A YAML double-quoted scalar.</summary>
    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
