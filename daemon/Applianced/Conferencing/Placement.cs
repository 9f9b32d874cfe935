using System.Text.RegularExpressions;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Conferencing;

/// <summary>
/// Where one incoming call goes (CONFERENCING.md, "Placement"). Pure: it reads the request and
/// never a socket, a clock or the store, so every peer given the same state decides the same, and
/// the SIP front door and the tests call the very same code.
/// </summary>
public static partial class Placement
{
    /// <summary>Longest alias matched; a longer one is no conference's (a SIP request-URI user part is far shorter).</summary>
    public const int MaxAliasLength = 256;

    public static PlacementDecision Decide(PlacementRequest request)
    {
        var alias = request.Alias;
        if (alias.Length == 0 || alias.Length > MaxAliasLength)
            return new(PlacementOutcome.NotFound, $"alias is empty or longer than {MaxAliasLength} characters");
        (AliasRule Rule, string Conference)? first;
        try
        {
            first = FirstMatch(request.Config, alias);
        }
        catch (RegexMatchTimeoutException e)
        {
            // Linear-time matching of a short alias that still overran (a stalled process): not "no such
            // alias", which the call processor would not try elsewhere, but a refusal for now.
            return new(PlacementOutcome.Unavailable, $"matching '{TextRules.Escape(alias)}' against the conference aliases took longer than {e.MatchTimeout.TotalMilliseconds:0} ms");
        }
        if (first is not { } found)
            return new(PlacementOutcome.NotFound, $"no conference alias matches '{TextRules.Escape(alias)}'");
        var (rule, conference) = found;
        var matched = new PlacementDecision(PlacementOutcome.NotFound, "") { Alias = rule.Name, Conference = conference, Template = rule.Template, Role = rule.Role };
        if (!ItemNames.IsValid(conference))
            return matched with { Reason = $"alias {rule.Name} makes '{TextRules.Escape(conference)}' of it, which {ItemNames.Rule}" };
        if (!request.Config.Templates.TryGetValue(rule.Template, out var template))
            return Refuse(matched, $"alias {rule.Name} names template {rule.Template}, which is not configured");
        var live = request.Conferences.FirstOrDefault(c => c.Name == conference);
        return live is null ? Create(request, matched, template) : Join(request, matched, live, template);
    }

    /// <summary>The first alias, by priority then name, whose pattern matches the whole alias, and the conference name it makes.</summary>
    private static (AliasRule Rule, string Conference)? FirstMatch(ConferencingConfig config, string alias)
    {
        foreach (var rule in config.Aliases)
        {
            var m = rule.Pattern.Match(alias);
            if (m.Success) // the pattern is anchored at both ends (AliasPattern.Compile)
                return (rule, m.Result(rule.Conference));
        }
        return null;
    }

    private static PlacementDecision Join(PlacementRequest request, PlacementDecision matched, LiveConference live, TemplateLimits aliasTemplate)
    {
        var joined = matched with { Template = live.Template, Bridge = live.Bridge };
        var template = request.Config.Templates.GetValueOrDefault(live.Template);
        if (template?.MaxParticipants is { } max && live.Participants >= max)
            return Refuse(joined, $"conference {live.Name} is full: {live.Participants} of template {live.Template}'s maxParticipants {max}");
        if (LicencesExhausted(request, template?.Licence ?? "shared") is { } why)
            return Refuse(joined, why);
        var health = Own(request, live.Bridge);
        if (health is { Usable: true })
            return joined with { Outcome = PlacementOutcome.Join, Reason = $"conference {live.Name} is live on bridge {live.Bridge}" };
        var unusable = $"bridge {live.Bridge}, which hosts conference {live.Name}, is not usable from this peer ({Why(health)})";
        // Nobody in it and its bridge known to be down here: rather than refuse every call to it until
        // that bridge is back (callers redialling after it died), the conference is placed anew and its
        // record overwritten. A bridge not yet seen (this peer just started) is no reason to move it.
        if (health is null || live.Participants > 0) return Refuse(joined, unusable);
        var anew = Create(request, matched, aliasTemplate, replacing: live.Name);
        return anew.Outcome == PlacementOutcome.Create
            ? anew with { Replaces = true, Reason = $"{unusable}, and nobody is in it: {anew.Reason}" }
            : anew with { Reason = $"{unusable}, and nobody is in it, but it cannot be placed anew: {anew.Reason}" };
    }

    /// <param name="replacing">A conference placed anew: its own record does not count against the template's maxConferences.</param>
    private static PlacementDecision Create(PlacementRequest request, PlacementDecision matched, TemplateLimits template, string? replacing = null)
    {
        var running = request.Conferences.Count(c => c.Template == template.Name && c.Name != replacing);
        if (template.MaxConferences is { } most && running >= most)
            return Refuse(matched, $"template {template.Name} is full: {running} live conferences of its maxConferences {most}");
        if (LicencesExhausted(request, template.Licence) is { } why)
            return Refuse(matched, why);
        if (template.Preference is not { } name)
            return Refuse(matched, $"template {template.Name} has no service preference, so no bridge is chosen for it");
        if (!request.Config.Preferences.TryGetValue(name, out var preference))
            return Refuse(matched, $"template {template.Name}'s service preference {name} is not configured");
        var (bridge, tried) = ChooseBridge(request, preference);
        return bridge is null
            ? Refuse(matched, $"no usable bridge in service preference {name}: {tried}")
            : matched with { Outcome = PlacementOutcome.Create, Bridge = bridge, Reason = $"new conference on bridge {bridge}" };
    }

    /// <summary>R14: every participant takes one licence of its template's kind; the cluster holds the sum of its peers' keys.</summary>
    private static string? LicencesExhausted(PlacementRequest request, string licence)
    {
        var capacity = request.Licences.Of(licence);
        var inUse = request.Conferences
            .Where(c => (request.Config.Templates.GetValueOrDefault(c.Template)?.Licence ?? "shared") == licence)
            .Sum(c => c.Participants);
        return inUse < capacity ? null
            : $"{licence} multiparty licences exhausted: {inUse} in use of the cluster's {capacity}";
    }

    private static PlacementDecision Refuse(PlacementDecision matched, string reason) =>
        matched with { Outcome = PlacementOutcome.Unavailable, Reason = reason };
}
