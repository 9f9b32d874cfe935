using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>Where results, warnings and errors go, for people or (--json) for scripts.</summary>
internal sealed class Output(CliHost host, bool json, bool wide = false)
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool Json => json;

    public void Result(JsonObject result)
    {
        if (json)
        {
            host.Out.WriteLine(result.ToJsonString(Indented));
            return;
        }
        if (result["warnings"] is JsonArray warnings)
            foreach (var w in warnings)
                host.Err.WriteLine("warning: " + Renderer.Scalar(w));
        new Renderer(host.Out, wide ? null : host.Columns).Result(result);
    }

    /// <summary>Stream entries: one line each, JSON lines with --json.</summary>
    public void Entry(JsonObject entry)
    {
        if (json)
            host.Out.WriteLine(entry.ToJsonString(Compact));
        else
            new Renderer(host.Out).Entry(entry);
        host.Out.Flush();
    }

    public int Error(ApiError error)
    {
        if (json)
        {
            host.Err.WriteLine(new JsonObject { ["error"] = error.Raw.DeepClone() }.ToJsonString(Indented));
            return error.ExitCode;
        }
        host.Err.WriteLine("error: " + error.Message);
        if (error.Field is not null)
            host.Err.WriteLine("  field: " + error.Field);
        if (error.Value is not null)
            host.Err.WriteLine("  value: " + error.Value);
        if (error.Rule is not null)
            host.Err.WriteLine("  rule:  " + error.Rule);
        return error.ExitCode;
    }

    /// <summary>The error, then the usage of the command group (or all commands). In the shell a
    /// typo gets a pointer to `help` instead of the whole list.</summary>
    public int UsageError(UsageException e, bool shell = false)
    {
        Error(ApiError.Create("usage", e.Message));
        if (json)
            return ExitCodes.Usage;
        if (shell && e.Group is null)
            host.Err.WriteLine("type help for the commands");
        else
        {
            host.Err.WriteLine();
            Usage.Write(host.Err, e.Group, shell, host.Columns);
        }
        return ExitCodes.Usage;
    }
}
