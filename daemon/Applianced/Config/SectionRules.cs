using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>Rules between fields of one section (field syntax is already checked when these run).</summary>
internal static class SectionRules
{
    public static void Ipv4(JsonObject v, RuleContext r)
    {
        var addressText = RuleContext.Text(v, "address");
        var maskText = RuleContext.Text(v, "mask");
        var gatewayText = RuleContext.Text(v, "gateway");
        uint address = 0, mask = 0;
        var haveAddress = addressText is not null && Ipv4Parse(addressText, out address);
        var haveMask = maskText is not null && Ipv4Parse(maskText, out mask);
        var subnet = $"{addressText}/{maskText}";

        if (haveAddress && haveMask && Config.Ipv4.PrefixLength(mask) <= 30)
        {
            if ((address & ~mask) == 0)
                throw r.Fail("address", addressText, $"is the network address of {subnet}");
            if ((address & ~mask) == ~mask)
                throw r.Fail("address", addressText, $"is the broadcast address of {subnet}");
        }
        if (gatewayText is not null && Ipv4Parse(gatewayText, out var gateway))
        {
            if (!haveAddress || !haveMask)
                throw r.Fail("gateway", gatewayText, "needs ipv4.address and ipv4.mask set too");
            if (gateway == address)
                throw r.Fail("gateway", gatewayText, "is ipv4.address itself");
            if ((gateway & mask) != (address & mask))
                throw r.Fail("gateway", gatewayText, $"is not inside {subnet}");
            if (Config.Ipv4.PrefixLength(mask) <= 30)
            {
                if ((gateway & ~mask) == 0)
                    throw r.Fail("gateway", gatewayText, $"is the network address of {subnet}");
                if ((gateway & ~mask) == ~mask)
                    throw r.Fail("gateway", gatewayText, $"is the broadcast address of {subnet}");
            }
        }
        foreach (var extra in RuleContext.List(v, "additional"))
        {
            if (extra == addressText)
                throw r.Fail("additional", extra, "is ipv4.address itself");
        }
    }

    public static void Snmp(JsonObject v, RuleContext r)
    {
        var community = RuleContext.Text(v, "community");
        if (v["enabled"]?.GetValue<bool>() == true && community is null)
            throw r.Fail("community", null, "is required while snmp.enabled is true");
        // snmpd.conf splits its lines on blanks and reads quotes, backslashes and '#' specially: a
        // community holding one would configure something else than what was stored.
        if (community is not null && !community.All(c => c is > ' ' and <= '~' and not ('"' or '\'' or '\\' or '#')))
            throw r.Fail("community", null, "may hold only printable ASCII without blanks, quotes, backslashes or '#'");
    }

    /// <summary>
    /// Stopping sshd leaves the console login as the only way in, and that needs the admin password
    /// (R7: a change that would lock the operator out is refused, not applied).
    /// </summary>
    public static void Ssh(JsonObject v, RuleContext r)
    {
        if (v["enabled"]?.GetValue<bool>() == false && r.Config.AdminPasswordSet == false)
            throw r.Fail("enabled", "false",
                "cannot be false while admin.password is not set: with SSH stopped only a console login as admin could reach this peer (set admin.password first)");
    }

    /// <summary>The other side of <see cref="Ssh"/>: the password is not removed from under a peer whose SSH is off.</summary>
    public static void Admin(JsonObject v, RuleContext r)
    {
        if (RuleContext.Text(v, "password") is not null)
            return;
        var locked = r.Config.OtherPeers.Where(p => p.SshDisabled).Select(p => p.Label).ToList();
        if (r.Config.OwnSshDisabled)
            locked.Insert(0, "this peer");
        if (locked.Count > 0)
            throw r.Fail("password", null,
                $"cannot be removed while SSH is disabled on {string.Join(", ", locked)}: the console login would be the only way in (set ssh.enabled true there first)");
    }

    /// <summary>Each name must be installed on this peer as the right kind (certificates add-ca / add-server).</summary>
    public static void Certificates(JsonObject v, RuleContext r)
    {
        if (r.Config.InstalledCertificates is not { } installed)
            return;
        foreach (var (field, kind, what, command) in new[] { ("trustedCa", "ca", "CA bundle", "add-ca"), ("serverCertificate", "server", "server certificate", "add-server") })
        {
            if (RuleContext.Text(v, field) is not { } name)
                continue;
            var same = installed.Where(i => i.Value == kind).Select(i => i.Key).Order(StringComparer.Ordinal).ToList();
            if (!installed.TryGetValue(name, out var actual))
                throw r.Fail(field, name, $"is not a {what} installed on this peer ({(same.Count == 0 ? "none is" : "installed: " + string.Join(", ", same))}; install one with 'certificates {command} NAME FILE|-')");
            if (actual != kind)
                throw r.Fail(field, name, $"is installed as a {(actual == "ca" ? "CA bundle" : "server certificate")}, not as a {what}");
        }
    }

    public static void Firewall(JsonObject v, RuleContext r)
    {
        var protocol = RuleContext.Text(v, "protocol");
        var port = RuleContext.Text(v, "port");
        if (protocol is "tcp" or "udp" && port is null)
            throw r.Fail("port", null, $"is required for protocol {protocol}");
        if (protocol is "icmp" or "any" && port is not null)
            throw r.Fail("port", port, $"is not allowed for protocol {protocol} (tcp or udp only)");
    }

    /// <summary>A trunk port means a trunk: the call processor's address comes with it.</summary>
    public static void Location(JsonObject v, RuleContext r)
    {
        if (RuleContext.Text(v, "trunkAddress") is not null)
            return;
        if (v["trunkPort"] is JsonValue port)
            throw r.Fail("trunkPort", port.ToJsonString(), "needs trunkAddress set too (the call processor's address)");
    }

    public static void Cluster(JsonObject v, RuleContext r)
    {
        var key = RuleContext.Text(v, "key");
        if (key is not null && key.Length < ConfigSchema.WeakKeyLength)
            r.Warn($"cluster key is shorter than {ConfigSchema.WeakKeyLength} characters; a longer key is recommended");
        var peers = RuleContext.List(v, "peers").ToList();
        if (peers.Count == 3)
            r.Warn(ConfigSchema.ThreePeerWarning);
        var own = r.Config.OwnAddress;
        if (peers.Count > 0 && own is not null && !peers.Contains(own))
            throw r.Fail("peers", string.Join(' ', peers), $"does not include this peer's address {own} (ipv4.address)");
    }

    private static bool Ipv4Parse(string text, out uint value) => Config.Ipv4.TryParse(text, out value);
}
