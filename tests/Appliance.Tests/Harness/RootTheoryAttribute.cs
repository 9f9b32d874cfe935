namespace Appliance.Tests.Harness;

/// <summary>A theory that needs root; as a normal user it is reported Skipped (see <see cref="RootFactAttribute"/>).</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (!RootFactAttribute.IsRoot) Skip = RootFactAttribute.Reason;
    }
}
