using System.Globalization;
using System.Net;
using Appliance.Daemon.Bridges.XmlRpc;

namespace Appliance.BridgeSim;

/// <summary>bridgesim's command line (README.md beside this file).</summary>
internal sealed class SimOptions
{
    public IPEndPoint? Http { get; private set; }
    public IPEndPoint? Https { get; private set; }
    /// <summary>The SIP user agent's address (UDP and TCP); none: no SIP side.</summary>
    public IPEndPoint? Sip { get; private set; }
    /// <summary>SIP over TLS (with --sip, presenting --cert/--key); none: no TLS.</summary>
    public IPEndPoint? SipTls { get; private set; }
    public string? CertFile { get; private set; }
    public string? KeyFile { get; private set; }
    public string? User { get; private set; }
    public string? Password { get; private set; }
    public string Type { get; private set; } = "telepresence-server";
    public string Model { get; private set; } = "bridgesim";
    public string Serial { get; private set; } = "SIM0001";

    /// <summary>The switches as given on the command line, applied like a sim.set call.</summary>
    public XmlRpcStruct Switches { get; } = new();

    public const string Usage =
        "usage: bridgesim [--http ADDR:PORT] [--https ADDR:PORT --cert PEM --key PEM] [--sip ADDR:PORT [--sip-tls ADDR:PORT --cert PEM --key PEM]] [--user U --password P]\n"
        + "                 [--type telepresence-server|mcu] [--model TEXT] [--serial TEXT]\n"
        + "                 [--ports N] [--conferences N] [--refuse] [--refuse-create] [--refuse-invite CODE] [--delay-ms N] [--ring-ms N] [--hang] [--sip-silent] [--invite-silent] [--page-size N]";

    public static SimOptions Parse(IReadOnlyList<string> args)
    {
        var o = new SimOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Number() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new ArgumentException($"{args[i - 1]} takes a whole number, not '{args[i]}'");
            switch (args[i])
            {
                case "--http": o.Http = Endpoint(Value()); break;
                case "--https": o.Https = Endpoint(Value()); break;
                case "--sip": o.Sip = Endpoint(Value()); break;
                case "--sip-tls": o.SipTls = Endpoint(Value()); break;
                case "--cert": o.CertFile = Value(); break;
                case "--key": o.KeyFile = Value(); break;
                case "--user": o.User = Value(); break;
                case "--password": o.Password = Value(); break;
                case "--type": o.Type = Value() is "telepresence-server" or "mcu" ? args[i] : throw new ArgumentException($"--type is telepresence-server or mcu, not '{args[i]}'"); break;
                case "--model": o.Model = Value(); break;
                case "--serial": o.Serial = Value(); break;
                case "--ports": o.Switches["ports"] = Number(); break;
                case "--conferences": o.Switches["conferences"] = Number(); break;
                case "--delay-ms": o.Switches["delayMs"] = Number(); break;
                case "--ring-ms": o.Switches["ringMs"] = Number(); break;
                case "--page-size": o.Switches["pageSize"] = Number(); break;
                case "--refuse": o.Switches["refuse"] = true; break;
                case "--refuse-create": o.Switches["refuseCreate"] = true; break;
                case "--refuse-invite": o.Switches["refuseInvite"] = Number(); break;
                case "--hang": o.Switches["hang"] = true; break;
                case "--sip-silent": o.Switches["sipSilent"] = true; break;
                case "--invite-silent": o.Switches["inviteSilent"] = true; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        if (o.Http is null && o.Https is null) throw new ArgumentException("give --http, --https or both");
        if (o.Https is not null && (o.CertFile is null || o.KeyFile is null)) throw new ArgumentException("--https needs --cert and --key");
        if (o.SipTls is not null && (o.Sip is null || o.CertFile is null || o.KeyFile is null)) throw new ArgumentException("--sip-tls needs --sip, --cert and --key");
        return o;
    }

    private static IPEndPoint Endpoint(string text) =>
        IPEndPoint.TryParse(text, out var e) && e.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Contains(':')
            ? e : throw new ArgumentException($"'{text}' is not ADDR:PORT (an IPv4 address and a port; port 0 picks one)");
}
