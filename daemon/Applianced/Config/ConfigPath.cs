namespace Appliance.Daemon.Config;

/// <summary>
/// An API/CLI path: "SECTION", "SECTION.FIELD", "SECTION.ITEM" or "SECTION.ITEM.FIELD".
/// Item names may contain dots, so for a collection the last segment is taken as a field only
/// when it names one ("bridges.b1.port"); otherwise the whole rest is the item ("bridges.eu.1").
/// </summary>
public sealed record ConfigPath(SectionDef Section, string? Item, string? Field)
{
    public static ConfigPath Parse(string path)
    {
        var dot = path.IndexOf('.');
        var section = ConfigSchema.Get(dot < 0 ? path : path[..dot]);
        var rest = dot < 0 ? null : path[(dot + 1)..];
        if (string.IsNullOrEmpty(rest))
            return new ConfigPath(section, null, null);
        if (!section.IsCollection)
            return new ConfigPath(section, null, section.GetField(rest).Name);

        string item = rest;
        string? field = null;
        var last = rest.LastIndexOf('.');
        if (last > 0 && section.FindField(rest[(last + 1)..]) is { } f)
        {
            item = rest[..last];
            field = f.Name;
        }
        if (!ItemNames.IsValid(item))
            throw FieldValues.Fail(section.Name, item, ItemNames.Rule);
        return new ConfigPath(section, item, field);
    }

    public override string ToString() =>
        string.Join('.', new[] { Section.Name, Item, Field }.Where(p => p is not null));
}
