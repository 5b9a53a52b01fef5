namespace CrossDomain.Stages.Synthesize;

/// <summary>
/// The project's own word lists for synthetic Food and Kitchen items. Each theme exists in both domains, which
/// is what lets a cross-domain model carry a user's taste from one to the other.
/// </summary>
public static class Vocabulary
{
    public sealed record Theme(string Name, string FoodCategory, string[] Foods, string KitchenCategory, string[] Kitchenware, string[] Adjectives);

    public static readonly Theme[] Themes =
    [
        new("Italian", "Pasta & Sauces", ["Penne Pasta", "Marinara Sauce", "Basil Pesto", "Arborio Rice", "Sun-Dried Tomatoes", "Balsamic Vinegar"],
            "Pasta Tools", ["Pasta Maker", "Pizza Stone", "Garlic Press", "Cheese Grater", "Ravioli Cutter", "Colander"], ["Tuscan", "Authentic", "Rustic", "Sicilian"]),
        new("Baking", "Baking Supplies", ["Bread Flour", "Vanilla Extract", "Cocoa Powder", "Baking Soda", "Brown Sugar", "Yeast Packets"],
            "Bakeware", ["Loaf Pan", "Stand Mixer", "Cooling Rack", "Rolling Pin", "Muffin Tin", "Pastry Brush"], ["Homestyle", "Golden", "Artisan", "Classic"]),
        new("Coffee", "Coffee", ["Espresso Beans", "Dark Roast Coffee", "Cold Brew Blend", "Coffee Pods", "Decaf Ground Coffee", "Mocha Syrup"],
            "Coffee Makers", ["French Press", "Burr Grinder", "Pour-Over Dripper", "Milk Frother", "Espresso Machine", "Travel Mug"], ["Bold", "Smooth", "Single-Origin", "Barista"]),
        new("Tea", "Tea", ["Green Tea", "Earl Grey", "Chamomile Tea", "Matcha Powder", "Oolong Leaves", "Chai Blend"],
            "Teaware", ["Tea Kettle", "Cast Iron Teapot", "Tea Infuser", "Matcha Whisk", "Glass Tea Cups", "Electric Kettle"], ["Calming", "Loose-Leaf", "Imperial", "Fragrant"]),
        new("Asian", "Asian Cuisine", ["Soy Sauce", "Jasmine Rice", "Rice Noodles", "Sesame Oil", "Miso Paste", "Sriracha"],
            "Asian Cookware", ["Carbon Steel Wok", "Rice Cooker", "Bamboo Steamer", "Chopsticks Set", "Santoku Knife", "Sushi Mat"], ["Spicy", "Umami", "Traditional", "Savory"]),
        new("Grilling", "Sauces & Rubs", ["BBQ Sauce", "Smoked Paprika", "Dry Rub", "Hickory Chips", "Hot Sauce", "Steak Seasoning"],
            "Grill Tools", ["Grill Brush", "Meat Thermometer", "Smoker Box", "Tongs Set", "Basting Brush", "Grill Basket"], ["Smoky", "Texas-Style", "Fiery", "Backyard"]),
        new("Healthy", "Health Foods", ["Chia Seeds", "Quinoa", "Almond Butter", "Protein Bars", "Rolled Oats", "Dried Goji Berries"],
            "Meal Prep", ["Blender", "Food Storage Containers", "Salad Spinner", "Spiralizer", "Juicer", "Kitchen Scale"], ["Organic", "Gluten-Free", "Wholesome", "Raw"]),
        new("Breakfast", "Breakfast Foods", ["Maple Syrup", "Pancake Mix", "Granola", "Strawberry Jam", "Honey", "Instant Oatmeal"],
            "Breakfast Appliances", ["Waffle Iron", "Toaster", "Egg Cooker", "Griddle", "Crepe Pan", "Juice Glasses"], ["Morning", "Fluffy", "Country", "Sweet"]),
        new("Snacks", "Snack Foods", ["Kettle Chips", "Popcorn Kernels", "Trail Mix", "Pretzels", "Beef Jerky", "Salsa"],
            "Party Supplies", ["Popcorn Popper", "Serving Platter", "Chip and Dip Bowl", "Ice Bucket", "Snack Bowls", "Cocktail Shaker"], ["Crunchy", "Party-Size", "Zesty", "Salted"]),
        new("Mexican", "Mexican Cuisine", ["Taco Seasoning", "Corn Tortillas", "Chipotle Peppers", "Black Beans", "Mole Sauce", "Queso Dip"],
            "Mexican Cookware", ["Tortilla Press", "Molcajete", "Comal Griddle", "Taco Holders", "Citrus Squeezer", "Salsa Bowl"], ["Authentic", "Smoky", "Zesty", "Street-Style"]),
        new("Candy", "Candy & Chocolate", ["Dark Chocolate Bar", "Gummy Bears", "Caramel Chews", "Peppermint Bark", "Truffles", "Licorice"],
            "Candy Making", ["Candy Thermometer", "Chocolate Molds", "Double Boiler", "Piping Bags", "Silicone Mat", "Fondue Set"], ["Decadent", "Handmade", "Sweet", "Gourmet"]),
        new("Spices", "Herbs & Spices", ["Ground Cumin", "Turmeric", "Smoked Sea Salt", "Whole Peppercorns", "Cinnamon Sticks", "Curry Powder"],
            "Spice Storage", ["Spice Rack", "Mortar and Pestle", "Pepper Mill", "Salt Cellar", "Spice Jars", "Herb Keeper"], ["Aromatic", "Premium", "Hand-Ground", "Exotic"]),
    ];

    public static readonly string[] Brands =
        ["Northwind", "Contoso", "Fabrikam", "Tailspin", "Woodgrove", "Litware", "Proseware", "Adatum", "Wingtip", "Lucerne", "Margie's", "Alpine Ski House"];

    public static readonly string[] ReviewWords =
        ["great", "works well", "good value", "would buy again", "as described", "a bit pricey", "excellent quality", "arrived quickly", "nice", "my favorite"];
}
