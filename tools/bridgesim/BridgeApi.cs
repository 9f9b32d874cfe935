using Appliance.Daemon.Bridges;
using Appliance.Daemon.Bridges.XmlRpc;

namespace Appliance.BridgeSim;

/// <summary>
/// The bridge's XML-RPC methods (daemon/Applianced/Bridges/XMLRPC.md) plus the simulator's own
/// sim.get and sim.set, which answer whatever the switches say (so a test can always undo them)
/// and need no credentials. Every other call is checked against the user and password first.
/// </summary>
internal sealed class BridgeApi(SimOptions options, SimSwitches switches, ConferenceBook book, TimeProvider time)
{
    private readonly DateTime _started = time.GetUtcNow().UtcDateTime;

    /// <summary>Set by sim.set die=true: the host stops the process after this reply.</summary>
    public bool DieRequested { get; private set; }

    public static bool IsControl(string method) => method.StartsWith("sim.", StringComparison.Ordinal);

    /// <summary>The reply to one call: a value or a fault (<see cref="SimFault"/>).</summary>
    public object Handle(XmlRpcCall call)
    {
        var args = call.Parameters.Count == 0 ? new XmlRpcStruct()
            : call.Parameters[0] as XmlRpcStruct ?? throw new SimFault(BridgeFaults.InvalidParameter, "the parameter is not a struct");
        try
        {
            if (IsControl(call.Method)) return Control(call.Method, args);
            if (switches.Refuse) throw new SimFault(BridgeFaults.OperationFailed, "operation failed (the simulator refuses: switch refuse)");
            Authenticate(args);
            return Bridge(call.Method, args);
        }
        catch (XmlRpcFormatException e)
        {
            throw new SimFault(BridgeFaults.InvalidParameter, e.Message);
        }
        catch (ArgumentException e)
        {
            throw new SimFault(BridgeFaults.InvalidParameter, e.Message);
        }
    }

    private object Control(string method, XmlRpcStruct args)
    {
        switch (method)
        {
            case "sim.get":
                return switches.Show();
            case "sim.set":
                switches.Apply(args);
                DieRequested = args.OptionalBool("die") ?? false;
                return switches.Show();
            default:
                throw new SimFault(BridgeFaults.MethodNotSupported, $"method '{method}' not supported");
        }
    }

    private void Authenticate(XmlRpcStruct args)
    {
        if (options.User is null) return;
        if (args.OptionalString("authenticationUser") != options.User || args.OptionalString("authenticationPassword") != (options.Password ?? ""))
            throw new SimFault(BridgeFaults.AuthorizationFailed, "authorization failed");
    }

    private object Bridge(string method, XmlRpcStruct args)
    {
        switch (method)
        {
            case "system.info":
                return new XmlRpcStruct { ["model"] = options.Model, ["type"] = options.Type, ["softwareVersion"] = "bridgesim 1.0", ["serial"] = options.Serial };
            case "device.query":
                var (ports, conferences) = book.InUse();
                return new XmlRpcStruct
                {
                    ["currentTime"] = time.GetUtcNow().UtcDateTime, ["restartTime"] = _started,
                    ["portsInUse"] = ports, ["portsMax"] = switches.Ports, ["conferencesInUse"] = conferences, ["conferencesMax"] = switches.Conferences,
                };
            case "conference.create":
                if (switches.RefuseCreate) throw new SimFault(BridgeFaults.OperationFailed, "operation failed (the simulator refuses: switch refuseCreate)");
                var name = Name(args, "conferenceName");
                book.Create(name, args.OptionalInt("maxParticipants"), args.OptionalString("description"));
                return new XmlRpcStruct { ["conferenceName"] = name };
            case "conference.destroy":
                book.Destroy(Name(args, "conferenceName"));
                return new XmlRpcStruct();
            case "conference.enumerate":
                return book.EnumerateConferences(args.OptionalString("enumerateID"));
            case "participant.enumerate":
                return book.EnumerateParticipants(args.OptionalString("conferenceName"), args.OptionalString("enumerateID"));
            case "participant.add":
                book.Join(Name(args, "conferenceName"), Name(args, "participantName"), args.OptionalString("address") ?? "");
                return new XmlRpcStruct();
            case "participant.remove":
                book.Disconnect(Name(args, "conferenceName"), Name(args, "participantName"));
                return new XmlRpcStruct();
            default:
                throw new SimFault(BridgeFaults.MethodNotSupported, $"method '{method}' not supported");
        }
    }

    private static string Name(XmlRpcStruct args, string member)
    {
        if (!args.ContainsKey(member)) throw new SimFault(BridgeFaults.MissingParameter, $"{member} missing");
        var name = args.String(member);
        return name.Length is > 0 and <= 80 ? name : throw new SimFault(BridgeFaults.InvalidParameter, $"{member} must be 1-80 characters");
    }
}
