namespace Appliance.Sip;

public static class SipMethods
{
    public const string Invite = "INVITE";
    public const string Ack = "ACK";
    public const string Bye = "BYE";
    public const string Cancel = "CANCEL";
    public const string Options = "OPTIONS";
    public const string Register = "REGISTER";
    public const string Info = "INFO";
    public const string Update = "UPDATE";
    public const string Prack = "PRACK";

    /// <summary>Methods of RFC 3261 and its common extensions: one of these not served is 405, anything else 501.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        Invite, Ack, Bye, Cancel, Options, Register, Info, Update, Prack,
        "SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "PUBLISH",
    };
}
