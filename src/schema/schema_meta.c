/*
 * schema_meta.c - the draft-04, draft-06 and draft-07 meta-schemas,
 * built in so that "$ref": "http://json-schema.org/draft-07/schema#"
 * works without fetching anything.  Compact copies of the documents
 * published at json-schema.org.
 */
#include "schema/schema_i.h"

#include <string.h>

/* clang-format off */
static const char meta_draft04[] =
	"{\"id\":\"http://json-schema.org/draft-04/schema#\",\"$schema\":\"h"
	"ttp://json-schema.org/draft-04/schema#\",\"description\":\"Core "
	"schema meta-schema\",\"definitions\":{\"schemaArray\":{\"type\":\"ar"
	"ray\",\"minItems\":1,\"items\":{\"$ref\":\"#\"}},\"positiveInteger\":{\""
	"type\":\"integer\",\"minimum\":0},\"positiveIntegerDefault0\":{\"all"
	"Of\":[{\"$ref\":\"#/definitions/positiveInteger\"},{\"default\":0}]"
	"},\"simpleTypes\":{\"enum\":[\"array\",\"boolean\",\"integer\",\"null\","
	"\"number\",\"object\",\"string\"]},\"stringArray\":{\"type\":\"array\",\""
	"items\":{\"type\":\"string\"},\"minItems\":1,\"uniqueItems\":true}},\""
	"type\":\"object\",\"properties\":{\"id\":{\"format\":\"uri\",\"type\":\"st"
	"ring\"},\"$schema\":{\"type\":\"string\",\"format\":\"uri\"},\"title\":{\""
	"type\":\"string\"},\"description\":{\"type\":\"string\"},\"default\":{}"
	",\"multipleOf\":{\"type\":\"number\",\"minimum\":0,\"exclusiveMinimum"
	"\":true},\"maximum\":{\"type\":\"number\"},\"exclusiveMaximum\":{\"typ"
	"e\":\"boolean\",\"default\":false},\"minimum\":{\"type\":\"number\"},\"e"
	"xclusiveMinimum\":{\"type\":\"boolean\",\"default\":false},\"maxLeng"
	"th\":{\"$ref\":\"#/definitions/positiveInteger\"},\"minLength\":{\"$"
	"ref\":\"#/definitions/positiveIntegerDefault0\"},\"pattern\":{\"ty"
	"pe\":\"string\",\"format\":\"regex\"},\"additionalItems\":{\"anyOf\":[{"
	"\"type\":\"boolean\"},{\"$ref\":\"#\"}],\"default\":{}},\"items\":{\"anyO"
	"f\":[{\"$ref\":\"#\"},{\"$ref\":\"#/definitions/schemaArray\"}],\"defa"
	"ult\":{}},\"maxItems\":{\"$ref\":\"#/definitions/positiveInteger\"}"
	",\"minItems\":{\"$ref\":\"#/definitions/positiveIntegerDefault0\"}"
	",\"uniqueItems\":{\"type\":\"boolean\",\"default\":false},\"maxProper"
	"ties\":{\"$ref\":\"#/definitions/positiveInteger\"},\"minPropertie"
	"s\":{\"$ref\":\"#/definitions/positiveIntegerDefault0\"},\"require"
	"d\":{\"$ref\":\"#/definitions/stringArray\"},\"additionalPropertie"
	"s\":{\"anyOf\":[{\"type\":\"boolean\"},{\"$ref\":\"#\"}],\"default\":{}},"
	"\"definitions\":{\"type\":\"object\",\"additionalProperties\":{\"$ref"
	"\":\"#\"},\"default\":{}},\"properties\":{\"type\":\"object\",\"addition"
	"alProperties\":{\"$ref\":\"#\"},\"default\":{}},\"patternProperties\""
	":{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"defau"
	"lt\":{}},\"dependencies\":{\"type\":\"object\",\"additionalPropertie"
	"s\":{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#/definitions/stringArray"
	"\"}]}},\"enum\":{\"type\":\"array\"},\"type\":{\"anyOf\":[{\"$ref\":\"#/de"
	"finitions/simpleTypes\"},{\"type\":\"array\",\"items\":{\"$ref\":\"#/d"
	"efinitions/simpleTypes\"},\"minItems\":1,\"uniqueItems\":true}]},"
	"\"format\":{\"type\":\"string\"},\"allOf\":{\"$ref\":\"#/definitions/sc"
	"hemaArray\"},\"anyOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"on"
	"eOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"not\":{\"$ref\":\"#\"}"
	"},\"dependencies\":{\"exclusiveMaximum\":[\"maximum\"],\"exclusiveM"
	"inimum\":[\"minimum\"]},\"default\":{}}"
	;
static const char meta_draft06[] =
	"{\"$schema\":\"http://json-schema.org/draft-06/schema#\",\"$id\":\""
	"http://json-schema.org/draft-06/schema#\",\"title\":\"Core schem"
	"a meta-schema\",\"definitions\":{\"schemaArray\":{\"type\":\"array\","
	"\"minItems\":1,\"items\":{\"$ref\":\"#\"}},\"nonNegativeInteger\":{\"ty"
	"pe\":\"integer\",\"minimum\":0},\"nonNegativeIntegerDefault0\":{\"al"
	"lOf\":[{\"$ref\":\"#/definitions/nonNegativeInteger\"},{\"default\""
	":0}]},\"simpleTypes\":{\"enum\":[\"array\",\"boolean\",\"integer\",\"nu"
	"ll\",\"number\",\"object\",\"string\"]},\"stringArray\":{\"type\":\"arra"
	"y\",\"items\":{\"type\":\"string\"},\"uniqueItems\":true,\"default\":[]"
	"}},\"type\":[\"object\",\"boolean\"],\"properties\":{\"$id\":{\"type\":\""
	"string\",\"format\":\"uri-reference\"},\"$schema\":{\"type\":\"string\""
	",\"format\":\"uri\"},\"$ref\":{\"type\":\"string\",\"format\":\"uri-refer"
	"ence\"},\"title\":{\"type\":\"string\"},\"description\":{\"type\":\"stri"
	"ng\"},\"default\":{},\"examples\":{\"type\":\"array\",\"items\":{}},\"mu"
	"ltipleOf\":{\"type\":\"number\",\"exclusiveMinimum\":0},\"maximum\":{"
	"\"type\":\"number\"},\"exclusiveMaximum\":{\"type\":\"number\"},\"minim"
	"um\":{\"type\":\"number\"},\"exclusiveMinimum\":{\"type\":\"number\"},\""
	"maxLength\":{\"$ref\":\"#/definitions/nonNegativeInteger\"},\"minL"
	"ength\":{\"$ref\":\"#/definitions/nonNegativeIntegerDefault0\"},\""
	"pattern\":{\"type\":\"string\",\"format\":\"regex\"},\"additionalItems"
	"\":{\"$ref\":\"#\"},\"items\":{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#/def"
	"initions/schemaArray\"}],\"default\":{}},\"maxItems\":{\"$ref\":\"#/"
	"definitions/nonNegativeInteger\"},\"minItems\":{\"$ref\":\"#/defin"
	"itions/nonNegativeIntegerDefault0\"},\"uniqueItems\":{\"type\":\"b"
	"oolean\",\"default\":false},\"contains\":{\"$ref\":\"#\"},\"maxPropert"
	"ies\":{\"$ref\":\"#/definitions/nonNegativeInteger\"},\"minPropert"
	"ies\":{\"$ref\":\"#/definitions/nonNegativeIntegerDefault0\"},\"re"
	"quired\":{\"$ref\":\"#/definitions/stringArray\"},\"additionalProp"
	"erties\":{\"$ref\":\"#\"},\"definitions\":{\"type\":\"object\",\"additio"
	"nalProperties\":{\"$ref\":\"#\"},\"default\":{}},\"properties\":{\"typ"
	"e\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"default\":{}"
	"},\"patternProperties\":{\"type\":\"object\",\"additionalProperties"
	"\":{\"$ref\":\"#\"},\"propertyNames\":{\"format\":\"regex\"},\"default\":"
	"{}},\"dependencies\":{\"type\":\"object\",\"additionalProperties\":{"
	"\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#/definitions/stringArray\"}]}"
	"},\"propertyNames\":{\"$ref\":\"#\"},\"const\":{},\"enum\":{\"type\":\"ar"
	"ray\"},\"type\":{\"anyOf\":[{\"$ref\":\"#/definitions/simpleTypes\"},"
	"{\"type\":\"array\",\"items\":{\"$ref\":\"#/definitions/simpleTypes\"}"
	",\"minItems\":1,\"uniqueItems\":true}]},\"format\":{\"type\":\"string"
	"\"},\"allOf\":{\"$ref\":\"#/definitions/schemaArray\"},\"anyOf\":{\"$r"
	"ef\":\"#/definitions/schemaArray\"},\"oneOf\":{\"$ref\":\"#/definiti"
	"ons/schemaArray\"},\"not\":{\"$ref\":\"#\"}},\"default\":{}}"
	;
static const char meta_draft07[] =
	"{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"$id\":\""
	"http://json-schema.org/draft-07/schema#\",\"title\":\"Core schem"
	"a meta-schema\",\"definitions\":{\"schemaArray\":{\"type\":\"array\","
	"\"minItems\":1,\"items\":{\"$ref\":\"#\"}},\"nonNegativeInteger\":{\"ty"
	"pe\":\"integer\",\"minimum\":0},\"nonNegativeIntegerDefault0\":{\"al"
	"lOf\":[{\"$ref\":\"#/definitions/nonNegativeInteger\"},{\"default\""
	":0}]},\"simpleTypes\":{\"enum\":[\"array\",\"boolean\",\"integer\",\"nu"
	"ll\",\"number\",\"object\",\"string\"]},\"stringArray\":{\"type\":\"arra"
	"y\",\"items\":{\"type\":\"string\"},\"uniqueItems\":true,\"default\":[]"
	"}},\"type\":[\"object\",\"boolean\"],\"properties\":{\"$id\":{\"type\":\""
	"string\",\"format\":\"uri-reference\"},\"$schema\":{\"type\":\"string\""
	",\"format\":\"uri\"},\"$ref\":{\"type\":\"string\",\"format\":\"uri-refer"
	"ence\"},\"$comment\":{\"type\":\"string\"},\"title\":{\"type\":\"string\""
	"},\"description\":{\"type\":\"string\"},\"default\":true,\"readOnly\":"
	"{\"type\":\"boolean\",\"default\":false},\"examples\":{\"type\":\"array"
	"\",\"items\":true},\"multipleOf\":{\"type\":\"number\",\"exclusiveMini"
	"mum\":0},\"maximum\":{\"type\":\"number\"},\"exclusiveMaximum\":{\"typ"
	"e\":\"number\"},\"minimum\":{\"type\":\"number\"},\"exclusiveMinimum\":"
	"{\"type\":\"number\"},\"maxLength\":{\"$ref\":\"#/definitions/nonNega"
	"tiveInteger\"},\"minLength\":{\"$ref\":\"#/definitions/nonNegative"
	"IntegerDefault0\"},\"pattern\":{\"type\":\"string\",\"format\":\"regex"
	"\"},\"additionalItems\":{\"$ref\":\"#\"},\"items\":{\"anyOf\":[{\"$ref\":"
	"\"#\"},{\"$ref\":\"#/definitions/schemaArray\"}],\"default\":true},\""
	"maxItems\":{\"$ref\":\"#/definitions/nonNegativeInteger\"},\"minIt"
	"ems\":{\"$ref\":\"#/definitions/nonNegativeIntegerDefault0\"},\"un"
	"iqueItems\":{\"type\":\"boolean\",\"default\":false},\"contains\":{\"$"
	"ref\":\"#\"},\"maxProperties\":{\"$ref\":\"#/definitions/nonNegative"
	"Integer\"},\"minProperties\":{\"$ref\":\"#/definitions/nonNegative"
	"IntegerDefault0\"},\"required\":{\"$ref\":\"#/definitions/stringAr"
	"ray\"},\"additionalProperties\":{\"$ref\":\"#\"},\"definitions\":{\"ty"
	"pe\":\"object\",\"additionalProperties\":{\"$ref\":\"#\"},\"default\":{"
	"}},\"properties\":{\"type\":\"object\",\"additionalProperties\":{\"$r"
	"ef\":\"#\"},\"default\":{}},\"patternProperties\":{\"type\":\"object\","
	"\"additionalProperties\":{\"$ref\":\"#\"},\"propertyNames\":{\"format"
	"\":\"regex\"},\"default\":{}},\"dependencies\":{\"type\":\"object\",\"ad"
	"ditionalProperties\":{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#/defini"
	"tions/stringArray\"}]}},\"propertyNames\":{\"$ref\":\"#\"},\"const\":"
	"true,\"enum\":{\"type\":\"array\",\"items\":true},\"type\":{\"anyOf\":[{"
	"\"$ref\":\"#/definitions/simpleTypes\"},{\"type\":\"array\",\"items\":"
	"{\"$ref\":\"#/definitions/simpleTypes\"},\"minItems\":1,\"uniqueIte"
	"ms\":true}]},\"format\":{\"type\":\"string\"},\"contentMediaType\":{\""
	"type\":\"string\"},\"contentEncoding\":{\"type\":\"string\"},\"if\":{\"$"
	"ref\":\"#\"},\"then\":{\"$ref\":\"#\"},\"else\":{\"$ref\":\"#\"},\"allOf\":{\""
	"$ref\":\"#/definitions/schemaArray\"},\"anyOf\":{\"$ref\":\"#/defini"
	"tions/schemaArray\"},\"oneOf\":{\"$ref\":\"#/definitions/schemaArr"
	"ay\"},\"not\":{\"$ref\":\"#\"}},\"default\":true}"
	;

/* clang-format on */

static const struct {
	const char *uri;
	const char *text;
} metas[] = {
	{ "http://json-schema.org/draft-04/schema", meta_draft04 },
	{ "http://json-schema.org/draft-06/schema", meta_draft06 },
	{ "http://json-schema.org/draft-07/schema", meta_draft07 },
	{ "https://json-schema.org/draft-04/schema", meta_draft04 },
	{ "https://json-schema.org/draft-06/schema", meta_draft06 },
	{ "https://json-schema.org/draft-07/schema", meta_draft07 },
};

const char *sx_meta_schema_text(const char *uri)
{
	size_t i;

	for (i = 0; i < sizeof(metas) / sizeof(metas[0]); i++)
		if (strcmp(metas[i].uri, uri) == 0)
			return metas[i].text;
	return NULL;
}
