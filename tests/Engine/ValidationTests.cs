using CrossDomain.Engine.Config;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Engine;

public class ValidationTests
{
    private static ConfigException Fails(string yaml, params string[] overrides)
    {
        using var dir = new TempDir();
        dir.File("data/in.txt", "x");
        var h = new PipelineHarness(dir, yaml);
        return Assert.Throws<ConfigException>(() => h.Load(overrides));
    }

    [Fact]
    public void Unknown_stage_kind_names_file_line_and_key()
    {
        var e = Fails("""
            stages:
              a:
                uses: concat
              b:
                uses: nosuchkind
            """);
        var error = Assert.Single(e.Errors);
        Assert.Equal("pipeline.yaml", Path.GetFileName(error.File));
        Assert.Equal(5, error.Line);
        Assert.Equal("stages.b.uses", error.Key);
        Assert.Contains("unknown stage kind 'nosuchkind'", error.Message);
        Assert.Contains("concat", error.Message); // lists the known kinds
    }

    [Fact]
    public void Unknown_param_suggests_the_near_name_and_mistyped_param_says_what_was_expected()
    {
        var e = Fails("""
            stages:
              a:
                uses: concat
                params:
                  sufix: "!"
                  repeat: many
            """);
        Assert.Equal(2, e.Errors.Count);
        var unknown = e.Errors.Single(x => x.Key == "stages.a.params.sufix");
        Assert.Equal(5, unknown.Line);
        Assert.Contains("did you mean 'suffix'", unknown.Message);
        var typed = e.Errors.Single(x => x.Key == "stages.a.params.repeat");
        Assert.Equal(6, typed.Line);
        Assert.Contains("expected an integer, got 'many'", typed.Message);
    }

    [Fact]
    public void Validation_of_a_real_stage_kind_reports_relations_between_params()
    {
        var e = Fails("""
            stages:
              seq:
                uses: sequences
                deps: [data/in.txt]
                params: { source: food, target: food, max_len: 2 }
            """);
        Assert.Contains(e.Errors, x => x.Key == "stages.seq.params.target" && x.Message.Contains("must differ"));
        Assert.Contains(e.Errors, x => x.Key == "stages.seq.params.max_len" && x.Line == 5);
    }

    [Fact]
    public void Missing_input_file_is_reported_before_anything_runs()
    {
        var e = Fails("""
            stages:
              a:
                uses: concat
                params: { inputs: [data/missing.txt] }
            """);
        var error = Assert.Single(e.Errors);
        Assert.Equal("stages.a.params.inputs[0]", error.Key);
        Assert.Contains("missing input file", error.Message);
        Assert.Contains("data/missing.txt", error.Message);
    }

    [Fact]
    public void Dependency_cycle_is_reported_with_its_path()
    {
        var e = Fails("""
            stages:
              a:
                uses: concat
                deps: [c]
              b:
                uses: concat
                deps: [a]
              c:
                uses: concat
                deps: [b]
            """);
        var error = Assert.Single(e.Errors);
        Assert.Contains("dependency cycle: a -> c -> b -> a", error.Message);
        Assert.True(error.Line > 0);
    }

    [Fact]
    public void Two_stages_writing_the_same_output_are_rejected()
    {
        var e = Fails("""
            stages:
              a:
                uses: concat
                outs: { text: shared/out.txt }
              b:
                uses: concat
                outs: { text: shared/out.txt }
            """);
        var error = Assert.Single(e.Errors);
        Assert.Equal("stages.b.outs.text", error.Key);
        Assert.Contains("also written by a.text", error.Message);
    }

    [Fact]
    public void Dep_on_unknown_stage_or_output_is_rejected()
    {
        var e = Fails("""
            stages:
              a:
                uses: concat
              b:
                uses: concat
                deps: [nosuch, a.nosuch]
            """);
        Assert.Contains(e.Errors, x => x.Key == "stages.b.deps[0]" && x.Message.Contains("unknown stage 'nosuch'") && x.Line == 6);
        Assert.Contains(e.Errors, x => x.Key == "stages.b.deps[1]" && x.Message.Contains("has no output 'nosuch'"));
    }

    [Fact]
    public void Required_input_without_a_providing_dep_is_rejected()
    {
        var e = Fails("""
            stages:
              b:
                uses: append
            """);
        Assert.Contains("reads 'text', but none of its deps provides it", Assert.Single(e.Errors).Message);
    }

    [Fact]
    public void Set_overrides_and_vars_are_applied_and_bad_overrides_are_located()
    {
        using var dir = new TempDir();
        dir.File("data/in.txt", "x");
        var h = new PipelineHarness(dir, """
            vars:
              name: world
            defaults:
              concat: { repeat: 3 }
            stages:
              a:
                uses: concat
                params: { suffix: "hello ${name}" }
            """);
        var p = h.Load("stages.a.params.repeat=5", "vars.name=ignored-after-interpolation");
        var a = (Support.ConcatParams)p.Find("a")!.Params;
        Assert.Equal(5, a.Repeat);
        Assert.Equal("hello ignored-after-interpolation", a.Suffix); // --set applies before interpolation
        var defaults = (Support.ConcatParams)h.Load().Find("a")!.Params;
        Assert.Equal(3, defaults.Repeat);
        var bad = Assert.Throws<ConfigException>(() => h.Load("stages.a.params.repeat=lots"));
        Assert.Contains("expected an integer, got 'lots'", Assert.Single(bad.Errors).Message);
        Assert.Equal("--set stages.a.params.repeat=lots", bad.Errors[0].File);
        var syntax = Assert.Throws<ConfigException>(() => h.Load("nonsense"));
        Assert.Equal("--set nonsense", Assert.Single(syntax.Errors).File);
    }

    [Fact]
    public void Yaml_syntax_error_has_a_line()
    {
        var e = Fails("stages:\n  a:\n    uses: [concat\n");
        Assert.True(Assert.Single(e.Errors).Line >= 3);
    }
}
