import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { AGE_BANDS, GENDERS, PERSON_ROLES, STAT_GENDERS, type AgeBand, type Gender, type PersonRole, type StatGender } from '../person.types.js';

/*
 * Request shapes of API.md `Person` and `Child`, for other modules' DTOs to nest:
 *   @ValidateNested() @Type(() => PersonDto) victim: PersonDto;
 *   @ValidateNested({ each: true }) @Type(() => ChildDto) children: ChildDto[];
 * What the DTOs check is shape only. PeopleService checks the rest, so that those refusals have
 * stable problem types of their own: the identity code's date and check character (400
 * `invalid-identity-code`), a birth date in the future (400 `invalid-birth-date`: "today"
 * comes from the Clock) and a birth date that contradicts the code (400 `birth-date-mismatch`).
 */

/** `YYYY-MM-DD` and nothing more (IsISO8601 alone also takes times and week dates). */
const DATE_ONLY = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
/** Henkilötunnus shape DDMMYYCZZZQ; spaces and lower case are tolerated (normalised by the service). */
const IDENTITY_CODE_SHAPE = /^\s*(?:[0-9]\s*){6}[-+A-FU-Y]\s*(?:[0-9]\s*){3}[0-9A-Y]\s*$/i;
/** Digits, spaces and the usual phone punctuation. */
const PHONE_SHAPE = /^\+?[0-9 ()\-/.]{3,40}$/;

const NAME_MAX = 100;

export class ChildDto {
  @ApiProperty({ example: 'Eemeli', maxLength: NAME_MAX })
  @IsString() @Length(1, NAME_MAX)
  firstName: string;

  @ApiPropertyOptional({ example: 'Esimerkki', maxLength: NAME_MAX })
  @IsOptional() @IsString() @Length(1, NAME_MAX)
  lastName?: string;

  @ApiPropertyOptional({ example: '2015-06-01', format: 'date', description: 'YYYY-MM-DD, not in the future' })
  @IsOptional() @IsString() @Matches(DATE_ONLY, { message: 'birthDate must be a date YYYY-MM-DD' }) @IsISO8601({ strict: true })
  birthDate?: string;

  @ApiPropertyOptional({ example: '010615A907L', description: 'Finnish personal identity code (henkilötunnus); its check character is verified' })
  @IsOptional() @IsString() @MaxLength(20) @Matches(IDENTITY_CODE_SHAPE, { message: 'identityCode must have the form DDMMYYCZZZQ' })
  identityCode?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsBoolean()
  livesWithVictim?: boolean;
}

export class PersonDto {
  @ApiProperty({ example: 'Aino', maxLength: NAME_MAX })
  @IsString() @Length(1, NAME_MAX)
  firstName: string;

  @ApiProperty({ example: 'Esimerkki', maxLength: NAME_MAX })
  @IsString() @Length(1, NAME_MAX)
  lastName: string;

  @ApiPropertyOptional({ example: '1985-03-14', format: 'date', description: 'YYYY-MM-DD, not in the future; must agree with the identity code' })
  @IsOptional() @IsString() @Matches(DATE_ONLY, { message: 'birthDate must be a date YYYY-MM-DD' }) @IsISO8601({ strict: true })
  birthDate?: string;

  @ApiPropertyOptional({ example: '140385-942S', description: 'Finnish personal identity code (henkilötunnus); its check character is verified' })
  @IsOptional() @IsString() @MaxLength(20) @Matches(IDENTITY_CODE_SHAPE, { message: 'identityCode must have the form DDMMYYCZZZQ' })
  identityCode?: string;

  @ApiPropertyOptional({ enum: GENDERS })
  @IsOptional() @IsIn(GENDERS)
  gender?: Gender;

  @ApiPropertyOptional({ example: 'fi', maxLength: 50, description: 'Language the person prefers (an ISO 639 code or its name)' })
  @IsOptional() @IsString() @Length(1, 50)
  language?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsBoolean()
  interpreterNeeded?: boolean;

  @ApiPropertyOptional({ example: 'Esimerkkikatu 1 A 2, 33100 Tampere', maxLength: 300 })
  @IsOptional() @IsString() @Length(1, 300)
  address?: string;

  @ApiPropertyOptional({ example: '+358 40 000 0000', maxLength: 40 })
  @IsOptional() @IsString() @Matches(PHONE_SHAPE, { message: 'phone may contain digits, spaces, + ( ) - / . only (3 to 40 characters)' })
  phone?: string;

  @ApiPropertyOptional({ example: 'Call only on weekdays 9–11; say you are from the health centre.', maxLength: 2000 })
  @IsOptional() @IsString() @Length(1, 2000)
  safeContactNote?: string;

  @ApiPropertyOptional({ type: [String], maxItems: 20, description: 'Disabilities, pregnancy, immigration status and similar; each at most 500 characters' })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @Length(1, 500, { each: true })
  specialCircumstances?: string[];
}

/** A person as shown to those allowed to see them (after the caller has audited the read). */
export class PersonViewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) groupId: string;
  @ApiProperty({ enum: PERSON_ROLES }) role: PersonRole;
  @ApiPropertyOptional() firstName?: string;
  @ApiPropertyOptional() lastName?: string;
  @ApiPropertyOptional({ format: 'date' }) birthDate?: string;
  @ApiPropertyOptional() identityCode?: string;
  @ApiPropertyOptional({ enum: GENDERS }) gender?: Gender;
  @ApiPropertyOptional() language?: string;
  @ApiPropertyOptional() interpreterNeeded?: boolean;
  @ApiPropertyOptional() address?: string;
  @ApiPropertyOptional() phone?: string;
  @ApiPropertyOptional() safeContactNote?: string;
  @ApiPropertyOptional({ type: [String] }) specialCircumstances?: string[];
  @ApiPropertyOptional() livesWithVictim?: boolean;
  @ApiProperty({ enum: STAT_GENDERS }) statGender: StatGender;
  @ApiProperty({ enum: AGE_BANDS }) statAgeBand: AgeBand;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Set when retention destroyed the personal fields' }) anonymisedAt: string | null;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
