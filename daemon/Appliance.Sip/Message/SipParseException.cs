namespace Appliance.Sip;

/// <summary>A message that breaks the grammar or a limit; the text names the part and the rule.</summary>
public sealed class SipParseException(string message) : Exception(message);
