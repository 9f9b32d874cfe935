using System.Globalization;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Bridges.XmlRpc;

namespace Appliance.BridgeSim;

/// <summary>A refusal the API answers as an XML-RPC fault.</summary>
internal sealed class SimFault(int code, string text) : Exception(text)
{
    public int Code { get; } = code;
}

/// <summary>
/// The conferences and participants the simulated bridge holds, in memory. A participant takes one
/// port; the API adds them with participant.add, the SIP user agent (SipUserAgent.cs) with
/// <see cref="Join"/> and <see cref="Leave"/> when it answers and ends calls. A participant the
/// bridge drops (participant.remove, conference.destroy) is reported through <see cref="Dropped"/>,
/// so the user agent hangs up its call the way a bridge does.
/// </summary>
internal sealed class ConferenceBook(SimSwitches switches, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Conference> _conferences = new(StringComparer.Ordinal);

    private sealed record Conference(string Name, int? MaxParticipants, string? Description, DateTime Created)
    {
        public SortedDictionary<string, (string Address, DateTime Connected)> Participants { get; } = new(StringComparer.Ordinal);
    }

    public (int Ports, int Conferences) InUse()
    {
        lock (_gate) return (_conferences.Values.Sum(c => c.Participants.Count), _conferences.Count);
    }

    public void Create(string name, int? maxParticipants, string? description)
    {
        lock (_gate)
        {
            if (_conferences.ContainsKey(name)) throw new SimFault(BridgeFaults.DuplicateConference, $"conference '{name}' exists");
            if (_conferences.Count >= switches.Conferences) throw new SimFault(BridgeFaults.TooManyConferences, $"all {switches.Conferences} conferences in use");
            _conferences[name] = new Conference(name, maxParticipants, description, Now);
        }
    }

    /// <summary>A participant the bridge dropped by itself (API removal, conference destroyed): the conference and the participant.</summary>
    public event Action<string, string>? Dropped;

    public void Destroy(string name)
    {
        Conference? gone;
        lock (_gate)
        {
            if (!_conferences.Remove(name, out gone)) throw NoSuchConference(name);
        }
        foreach (var participant in gone.Participants.Keys) Dropped?.Invoke(name, participant);
    }

    /// <summary>Whether a call could join now (the user agent asks before it answers): a fault when not.</summary>
    public void CheckRoom(string conference)
    {
        lock (_gate) CheckRoom(conference, _conferences.GetValueOrDefault(conference) ?? throw NoSuchConference(conference));
    }

    private void CheckRoom(string conference, Conference c)
    {
        var ports = _conferences.Values.Sum(x => x.Participants.Count);
        if (ports >= switches.Ports) throw new SimFault(BridgeFaults.TooManyParticipants, $"all {switches.Ports} ports in use");
        if (c.MaxParticipants is { } max && c.Participants.Count >= max)
            throw new SimFault(BridgeFaults.TooManyParticipants, $"conference '{conference}' is full ({max})");
    }

    /// <summary>A participant joins (a call answered): refused when the bridge or the conference is full.</summary>
    public void Join(string conference, string participant, string address)
    {
        lock (_gate)
        {
            var c = _conferences.GetValueOrDefault(conference) ?? throw NoSuchConference(conference);
            if (c.Participants.ContainsKey(participant)) throw new SimFault(3, $"participant '{participant}' is already in '{conference}'");
            CheckRoom(conference, c);
            c.Participants[participant] = (address, Now);
        }
    }

    /// <summary>participant.remove: the participant leaves and its call, if it has one, is hung up.</summary>
    public void Disconnect(string conference, string participant)
    {
        Leave(conference, participant);
        Dropped?.Invoke(conference, participant);
    }

    public void Leave(string conference, string participant)
    {
        lock (_gate)
        {
            var c = _conferences.GetValueOrDefault(conference) ?? throw NoSuchConference(conference);
            if (!c.Participants.Remove(participant)) throw new SimFault(BridgeFaults.NoSuchParticipant, $"no participant '{participant}' in '{conference}'");
        }
    }

    public XmlRpcStruct EnumerateConferences(string? enumerateId) => Page("conferences", enumerateId, () =>
        _conferences.Values.Select(c =>
        {
            var s = new XmlRpcStruct { ["conferenceName"] = c.Name, ["participants"] = c.Participants.Count, ["created"] = c.Created };
            if (c.MaxParticipants is { } max) s["maxParticipants"] = max;
            if (c.Description is { } description) s["description"] = description;
            return s;
        }).ToList());

    public XmlRpcStruct EnumerateParticipants(string? conference, string? enumerateId) => Page("participants", enumerateId, () =>
    {
        if (conference is not null && !_conferences.ContainsKey(conference)) throw NoSuchConference(conference);
        return _conferences.Values.Where(c => conference is null || c.Name == conference)
            .SelectMany(c => c.Participants.Select(p => new XmlRpcStruct
            {
                ["conferenceName"] = c.Name, ["participantName"] = p.Key, ["address"] = p.Value.Address, ["connected"] = p.Value.Connected,
            })).ToList();
    });

    /// <summary>One page from the offset enumerateID names; enumerateID in the reply when more follow.</summary>
    private XmlRpcStruct Page(string member, string? enumerateId, Func<List<XmlRpcStruct>> list)
    {
        var from = 0;
        if (enumerateId is not null && (!int.TryParse(enumerateId, NumberStyles.None, CultureInfo.InvariantCulture, out from)))
            throw new SimFault(16, $"enumerateID '{enumerateId}' is not one this bridge gave");
        List<XmlRpcStruct> all;
        lock (_gate) all = list();
        var page = all.Skip(from).Take(switches.PageSize).ToArray();
        var reply = new XmlRpcStruct { [member] = page.Cast<object>().ToArray() };
        if (from + page.Length < all.Count) reply["enumerateID"] = (from + page.Length).ToString(CultureInfo.InvariantCulture);
        return reply;
    }

    private static SimFault NoSuchConference(string name) => new(BridgeFaults.NoSuchConference, $"no conference '{name}'");

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
