namespace CrossDomain.Tests.Llm;

/// <summary>A pipeline file for the real CLI: synthetic data (60 users, 30 items a domain), ingest, and an extract stage.</summary>
public static class SyntheticExtractPipeline
{
    /// <param name="samples">N, and R of the schema and tag-list queries.</param>
    /// <param name="llm">The extract stage's <c>llm</c> mapping, in flow style.</param>
    public static string Yaml(int samples, string llm) => $$"""
        stages:
          synthesize:
            uses: synthesize
            params: { seed: 3, users: 60, items_per_domain: 30 }
          ingest:
            uses: ingest
            params:
              max_bad_line_fraction: 0.05
              domains:
                food: { files: [ artifacts/synthesize/raw/reviews_Synthetic_Food.json.gz, artifacts/synthesize/raw/meta_Synthetic_Food.json.gz ] }
                kitchen: { files: [ artifacts/synthesize/raw/reviews_Synthetic_Kitchen.json.gz, artifacts/synthesize/raw/meta_Synthetic_Kitchen.json.gz ] }
          extract:
            uses: extract
            deps: [ ingest.items ]
            params:
              samples: {{samples}}
              schema_queries: {{samples}}
              tag_queries: {{samples}}
              categories: 4
              llm: {{llm}}
        """;
}
