using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Hal;

/// <summary>
/// The systemd-networkd <c>.network</c> file that gives the LAN interface the peer's IPv4 settings
/// (systemd.network(5), systemd 252). networkd applies the first file by name that matches a link
/// across /etc, /run and /usr/lib, so ours is named to sort before the image's DHCP file and the
/// kernel command line's file (systemd-network-generator writes <c>90-IFNAME.network</c>).
/// </summary>
public static class NetworkdFile
{
    /// <summary>The file name for an interface, e.g. <c>05-appliance-eth0.network</c>.</summary>
    public static string FileName(string interfaceName)
    {
        Validate(interfaceName);
        return $"05-appliance-{interfaceName}.network";
    }

    /// <summary>
    /// The file for <paramref name="plan"/>, or null when the plan asks nothing of the interface
    /// (no address, no gateway): then our file goes and the image's DHCP file or the kernel command
    /// line's static address applies again. Without a primary address the interface stays on DHCP
    /// and only the additional addresses are added to it. Throws <see cref="ArgumentException"/>
    /// naming the first value networkd would not read as meant.
    /// </summary>
    public static string? Render(string interfaceName, AddressPlan plan)
    {
        Validate(interfaceName);
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var a in plan.AllAddresses)
            Validate(a);
        if (plan.Gateway is { } g && (g.AddressFamily != AddressFamily.InterNetwork || g.Equals(IPAddress.Any)))
            throw new ArgumentException($"gateway '{g}' is not a usable IPv4 address", nameof(plan));
        if (plan.AllAddresses.Count == 0 && plan.Gateway is null)
            return null;

        var sb = new StringBuilder();
        sb.Append("# Written by applianced from this peer's ipv4 settings; replaced on every change and removed\n");
        sb.Append("# when the peer has none. Edit the settings with appliancectl, not this file.\n");
        sb.Append("[Match]\n");
        sb.Append($"Name={interfaceName}\n");
        sb.Append('\n');
        sb.Append("[Network]\n");
        sb.Append(plan.Primary is null ? "DHCP=ipv4\n" : "DHCP=no\n");
        sb.Append("LinkLocalAddressing=no\n");
        sb.Append("IPv6AcceptRA=no\n");
        // A static LAN address exists without a cable, as it did when the daemon added it itself:
        // the cluster binds to it at start, and a cable pulled and put back must not drop it.
        if (plan.Primary is not null)
            sb.Append("ConfigureWithoutCarrier=yes\n");
        foreach (var a in plan.AllAddresses)
            sb.Append($"Address={a}\n");
        if (plan.Gateway is not null)
            sb.Append($"Gateway={plan.Gateway}\n");
        return sb.ToString();
    }

    /// <summary>
    /// The addresses and gateway a file written by <see cref="Render"/> configures, for reporting what a
    /// change removed; a line edited by hand into something else is not ours and is skipped.
    /// </summary>
    public static (IReadOnlyList<InterfaceAddress> Addresses, IPAddress? Gateway) Read(string? content)
    {
        var addresses = new List<InterfaceAddress>();
        IPAddress? gateway = null;
        foreach (var line in (content ?? "").Split('\n'))
        {
            if (line.StartsWith("Address=", StringComparison.Ordinal) && TryParse(line["Address=".Length..]) is { } a)
                addresses.Add(a);
            else if (line.StartsWith("Gateway=", StringComparison.Ordinal) && IPAddress.TryParse(line["Gateway=".Length..], out var g))
                gateway = g;
        }
        return (addresses, gateway);
    }

    private static InterfaceAddress? TryParse(string text)
    {
        try
        {
            return InterfaceAddress.Parse(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static void Validate(string interfaceName)
    {
        LinuxLinkSettings.ValidateName(interfaceName);
        // [Match] Name= takes shell globs and a leading '!' negates: such a name would match other links.
        if (interfaceName.IndexOfAny(['*', '?', '[', ']', '!', '\\']) >= 0)
            throw new ArgumentException($"interface name '{interfaceName}' has glob characters that networkd's Name= would not match literally", nameof(interfaceName));
    }

    private static void Validate(InterfaceAddress a)
    {
        // networkd reads Address=0.0.0.0/N as "pick a free address from a pool", not as that address.
        if (a.Address.AddressFamily != AddressFamily.InterNetwork || a.Address.Equals(IPAddress.Any) || a.PrefixLength is < 0 or > 32)
            throw new ArgumentException($"address '{a}' is not a usable IPv4 address with prefix length 0-32", nameof(a));
    }
}
