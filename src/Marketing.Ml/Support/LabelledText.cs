namespace Marketing.Ml.Support;

/// <summary>A text and the class a person gave it: a training or test example, or an agent's correction.</summary>
public sealed record LabelledText(string Text, string Label);
