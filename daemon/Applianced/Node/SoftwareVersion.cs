using System.Reflection;

namespace Appliance.Daemon.Node;

public static class SoftwareVersion
{
    /// <summary>The version this build was made as (Directory.Build.props / build.sh), without build metadata.</summary>
    public static string Current { get; } =
        (typeof(SoftwareVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];
}
