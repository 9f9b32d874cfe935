using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Daemon.Api;

/// <summary>
/// The one form every time takes in an API result: ISO-8601 in UTC with 'Z', seconds, and a
/// fraction only when there is one ("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.25Z"), the form
/// config Time fields are stored in. Scripts parse one format; the CLI shows people local time.
/// </summary>
public static class ApiTime
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";

    public static string Text(DateTimeOffset time) => time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static string Text(DateTime utc) => Text(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)));

    /// <summary>For results built by serializing records (log entries): writes <see cref="Text(DateTimeOffset)"/>.</summary>
    public sealed class Converter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Text(value));
    }
}
