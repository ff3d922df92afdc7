Console.WriteLine("marketing cli");
