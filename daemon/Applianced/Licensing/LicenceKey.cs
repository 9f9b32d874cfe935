namespace Appliance.Daemon.Licensing;

/// <summary>Edition a release key grants; Essentials is what runs without one.</summary>
public enum LicenceEdition
{
    Essentials,
    Full,
    Select,
}

/// <summary>A verified licence key. Keys are per peer: each names the hardware serial it is for.</summary>
public abstract record LicenceKey(string Serial);

/// <summary>Unlocks clustering: Full (up to 3 peers) or Select (up to 2).</summary>
public sealed record ReleaseKey(string Serial, LicenceEdition Edition) : LicenceKey(Serial);

/// <summary>Adds multiparty capacity; <see cref="Id"/> makes each issued key distinct so a key given twice counts once.</summary>
public sealed record OptionKey(string Serial, int PersonalMultiparty, int SharedMultiparty, string Id) : LicenceKey(Serial);
