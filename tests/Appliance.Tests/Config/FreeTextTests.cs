using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

/// <summary>
/// Free-text fields (every String and Secret field of the schema) refuse what would break a line or
/// make the shown text differ from the stored one, naming the code point; they keep real text.
/// </summary>
public sealed class FreeTextTests
{
    private static IEnumerable<(SectionDef Section, FieldDef Field)> TextFields() =>
        ConfigSchema.All.SelectMany(s => s.Fields.Where(f => f.Kind is FieldKind.String or FieldKind.Secret or FieldKind.HashedSecret)
            .Select(f => (s, f)));

    [Theory]
    [InlineData(0x2028)] // line separator
    [InlineData(0x2029)] // paragraph separator
    [InlineData(0x202E)] // right-to-left override
    [InlineData(0x202A)] // left-to-right embedding
    [InlineData(0x2066)] // left-to-right isolate
    [InlineData(0x200E)] // left-to-right mark
    [InlineData(0x200B)] // zero-width space
    [InlineData(0xFEFF)] // byte order mark
    [InlineData(0x00AD)] // soft hyphen
    [InlineData(0xE0041)] // tag latin capital A (invisible)
    [InlineData(0x0085)] // next line
    [InlineData(0x001B)] // escape
    [InlineData(0x0009)] // tab
    [InlineData(0x007F)] // delete: just past the printable ASCII the check lets through without decoding
    public void Every_free_text_field_refuses_the_code_point_and_names_it(int codePoint)
    {
        var hidden = char.ConvertFromUtf32(codePoint);
        var text = $"Rack 4{hidden}row 2";
        var named = $"contains U+{codePoint:X4}";
        foreach (var (section, field) in TextFields())
        {
            var path = section.PathOf(section.IsCollection ? "x" : null, field.Name);
            var typed = Assert.Throws<ConfigValidationException>(() => field.Parse([text], path, ConfigContext.Default)).Error;
            Assert.Equal(path, typed.Field);
            Assert.StartsWith(named, typed.Rule);
            Assert.DoesNotContain(hidden, typed.Message);
            if (field.IsSecret)
                Assert.Null(typed.Value);
            else
                Assert.Equal($"Rack 4<U+{codePoint:X4}>row 2", typed.Value);
            if (field.Kind != FieldKind.HashedSecret) // a stored password is a hash, checked as one
            {
                var stored = Assert.Throws<ConfigValidationException>(() => field.Check(JsonValue.Create(text), path, ConfigContext.Default)).Error;
                Assert.StartsWith(named, stored.Rule);
            }
        }
    }

    [Fact]
    public void Half_a_surrogate_pair_is_refused()
    {
        var error = Refused(() => ConfigOps.Set("snmp", null, "contact", ["NOC \uD83D desk"]), "snmp.contact");
        Assert.Equal("contains U+D83D, half of a surrogate pair", error.Rule);
    }

    [Fact]
    public void Refusals_through_the_operations_name_the_field()
    {
        var error = Refused(() => ConfigOps.CreateItem("firewall", "web", Fields("priority=10;protocol=tcp;port=443;action=accept;description=admin\u202Egnp.exe")),
            "firewall.web.description");
        Assert.Equal("firewall.web.description: \"admin<U+202E>gnp.exe\" contains U+202E (a format character: bidirectional controls and invisible characters are not allowed)",
            error.Message);
        Refused(() => ConfigOps.Validate("locations", new JsonObject { ["name"] = "oslo", ["description"] = "floor 3\u2028floor 4" }), "locations.oslo.description");
        Refused(() => ConfigOps.Set("bridges", new JsonObject { ["name"] = "b1", ["address"] = "198.18.2.10" }, "password", ["s3cret\u2066"]), "bridges.b1.password");
    }

    [Theory]
    [InlineData("Café – Zürich ✓")]
    [InlineData("کتاب\u200Cخانه")] // Persian needs the zero-width non-joiner
    [InlineData("क्\u200Dष")] // Devanagari half form with the zero-width joiner
    [InlineData("👩\u200D💻 on call")] // emoji sequence
    [InlineData("floor\u00A03")] // no-break space
    public void Real_text_is_kept(string text)
    {
        foreach (var (section, field) in TextFields().Where(t => t.Field.Kind == FieldKind.String && t.Field.MaxLength >= text.Length))
        {
            var path = section.PathOf(null, field.Name);
            Assert.Equal(text, field.Parse([text], path, ConfigContext.Default)!.GetValue<string>());
        }
    }
}
