// Validates the OpenAPI document in the file named by the first argument against the OpenAPI 3 schema and its
// rules ($refs resolve, operationIds unique, ...) with swagger-parser; prints the error and exits 1 if it is invalid.
const SwaggerParser = require("@apidevtools/swagger-parser");

SwaggerParser.validate(process.argv[2])
  .then((api) => console.log(`valid: ${api.info.title} ${api.info.version}, OpenAPI ${api.openapi}`))
  .catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
