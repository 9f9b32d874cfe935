namespace Appliance.Daemon.Licensing;

/// <summary>A key that did not count, and why.</summary>
public sealed record LicenceProblem(string Key, LicenceError Error, string Message);

/// <summary>
/// What one peer's licence keys add up to (R14): without a valid release key the peer runs as
/// Essentials and cannot cluster; Select clusters at most 2 peers, Full up to 3. Capacity is the sum
/// of the valid option keys (each distinct key id once), with or without a release key.
/// </summary>
public sealed record LicenceState(
    LicenceEdition Edition,
    int PersonalMultiparty,
    int SharedMultiparty,
    ReleaseKey? Release,
    IReadOnlyList<OptionKey> Options,
    IReadOnlyList<LicenceProblem> Problems)
{
    /// <summary>R3: a cluster has at most three peers.</summary>
    public const int MaxClusterPeers = 3;

    public const int MaxSelectPeers = 2;

    public bool ClusteringAllowed => Edition != LicenceEdition.Essentials;

    /// <summary>Largest cluster (this peer included) the edition allows; 1 means standalone only.</summary>
    public int MaxPeers => Edition switch
    {
        LicenceEdition.Full => MaxClusterPeers,
        LicenceEdition.Select => MaxSelectPeers,
        _ => 1,
    };

    /// <summary>"Essentials", "Full" or "Select", as shown to operators and sent in the hello.</summary>
    public string EditionName => Edition.ToString();

    public static LicenceState Compute(string peerSerial, IEnumerable<string> keys, LicenceVerifier verifier)
    {
        ReleaseKey? release = null;
        var options = new List<OptionKey>();
        var problems = new List<LicenceProblem>();
        foreach (var text in keys)
        {
            try
            {
                switch (verifier.Verify(text, peerSerial))
                {
                    // Several release keys: the widest edition wins, so adding a key never takes anything away.
                    case ReleaseKey r when release is null || r.Edition == LicenceEdition.Full:
                        release = r;
                        break;
                    case OptionKey o when options.Any(x => x.Id == o.Id):
                        problems.Add(new LicenceProblem(text, LicenceError.Duplicate,
                            $"option key {o.Id} is given more than once; it counts once"));
                        break;
                    case OptionKey o:
                        options.Add(o);
                        break;
                }
            }
            catch (LicenceException e)
            {
                problems.Add(new LicenceProblem(text, e.Error, e.Message));
            }
        }
        return new LicenceState(
            release?.Edition ?? LicenceEdition.Essentials,
            checked(options.Sum(o => o.PersonalMultiparty)),
            checked(options.Sum(o => o.SharedMultiparty)),
            release,
            options,
            problems);
    }
}
