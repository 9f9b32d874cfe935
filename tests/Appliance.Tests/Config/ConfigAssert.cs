using System.Text.Json.Nodes;
using Appliance.Daemon.Config;

namespace Appliance.Tests.Config;

internal static class ConfigAssert
{
    /// <summary>Words as the CLI passes them: "198.18.0.53 198.18.0.54" -> two values, "" -> none.</summary>
    public static string[] Words(string values) => values.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static ValidationError Refused(Action action, string expectedField)
    {
        var ex = Assert.Throws<ConfigValidationException>(action);
        Assert.Equal(expectedField, ex.Error.Field);
        Assert.StartsWith(expectedField + ":", ex.Message);
        Assert.False(string.IsNullOrWhiteSpace(ex.Error.Rule));
        return ex.Error;
    }

    /// <summary>"k=v;k=v" -> fields for CreateItem.</summary>
    public static Dictionary<string, string> Fields(string spec) =>
        spec.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

    public static string? Text(JsonObject value, string field) => value[field]?.ToString();
}
